"""Prometheus metrics of the plumbing, and a small HTTP server for /healthz, /readyz and /metrics.

Services with a Flask app expose the same three routes themselves (`metrics_payload`); consumer-only
processes use `HealthServer`. Labels are of low cardinality: never a student or organisation id.
"""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

logger = logging.getLogger(__name__)

EVENTS_PUBLISHED = Counter(
    "stagepool_events_published_total", "Events acknowledged by Kafka", ["event_type"])
EVENTS_CONSUMED = Counter(
    "stagepool_events_consumed_total", "Events handled by a consumer group",
    ["group", "event_type", "outcome"])
DEAD_LETTERS = Counter(
    "stagepool_dead_letters_total", "Messages sent to a dead-letter topic", ["topic", "group"])
HANDLER_SECONDS = Histogram(
    "stagepool_handler_seconds", "Time spent handling one event", ["group"])
CONSUMER_RESTARTS = Counter(
    "stagepool_consumer_restarts_total", "Consumers recreated after making no progress", ["group"])
TRANSIENT_RETRIES = Counter(
    "stagepool_transient_retries_total", "Retries after transient errors in a consumer", ["group"])


def metrics_payload() -> tuple[bytes, str]:
    """The exposition text of the default registry and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST


ReadyCheck = Callable[[], dict[str, bool]]


class HealthServer:
    """Serves /healthz (process up), /readyz (dependencies answer) and /metrics in a daemon thread."""

    def __init__(self, host: str, port: int, ready_check: ReadyCheck):
        self.ready_check = ready_check
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, name="health", daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def start(self) -> "HealthServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                if self.path == "/healthz":
                    self._send(200, b'{"status":"ok"}', "application/json")
                elif self.path == "/readyz":
                    checks = outer.ready_check()
                    status = 200 if all(checks.values()) else 503
                    self._send(status, json.dumps({"ready": status == 200, "checks": checks}).encode(),
                               "application/json")
                elif self.path == "/metrics":
                    body, content_type = metrics_payload()
                    self._send(200, body, content_type)
                else:
                    self._send(404, b'{"error":"not found"}', "application/json")

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                return None

        return Handler
