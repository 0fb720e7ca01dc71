"""A fake DNS resolver for the webhook target policy (stagepool_shared.net.Resolver): answers from a table
the test writes and changes, and records every question, so a test can make a name resolve differently at
registration and at send time (DNS rebinding) without touching the network; and a recording receiver of webhooks on 127.0.0.1.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeResolver:
    """host -> addresses; an unknown host does not resolve (OSError, as socket.getaddrinfo raises)."""

    def __init__(self, **answers: list[str]) -> None:
        self.answers: dict[str, list[str]] = {host.replace("_", "."): list(a) for host, a in answers.items()}
        self.asked: list[str] = []

    def answer(self, host: str, *addresses: str) -> None:
        """From now on, `host` resolves to `addresses`."""
        self.answers[host] = list(addresses)

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.answers:
            raise OSError(f"fake resolver: {host} does not resolve")
        return list(self.answers[host])


class WebhookReceiver:
    """A school's system on 127.0.0.1 (a real HTTP server in a thread): records each request and answers
    `status` (with a `location` header when set)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.status, self.location = 204, ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((self.path, dict(self.headers), body))
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
