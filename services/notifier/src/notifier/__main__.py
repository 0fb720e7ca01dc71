"""The notifier's one entrypoint: `python -m notifier run` (console script `stagepool-notifier`).

`run` starts the Kafka consumer, the sender threads, the reminder loop, the outbox relay and the HTTP API
(inbox, accept/refuse, /healthz /readyz /metrics) on HTTP_HOST:HTTP_PORT, until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading

from werkzeug.serving import make_server

from stagepool_shared import topics
from stagepool_shared.errors import ConfigError
from stagepool_shared.kafka import broker_reachable, ensure_topics
from stagepool_shared.logging import configure_logging
from stagepool_shared.redis import redis_reachable
from stagepool_shared.runtime import stop_on_signals

from .bootstrap import Notifier, bootstrap
from .config import Settings
from .entrypoints.consumer import make_consumer
from .entrypoints.http import create_app
from .entrypoints import workers
from .entrypoints.workers import start_workers
from .metrics import track_pending

logger = logging.getLogger("notifier")


def _ready_check(notifier: Notifier):  # type: ignore[no-untyped-def]
    def check() -> dict[str, bool]:
        bootstrap_servers = notifier.settings.common.kafka_bootstrap_servers
        return {"redis": redis_reachable(notifier.redis_client), "kafka": broker_reachable(bootstrap_servers)}
    return check


def run(settings: Settings) -> None:
    """Run every part of the notifier until a stop signal."""
    stop = stop_on_signals()
    notifier = bootstrap(settings)
    track_pending(notifier.deps.store.pending_count)
    produced = tuple(dict.fromkeys(settings.topic_names + (topics.NOTIFICATIONS, topics.PLACEMENTS)))
    ensure_topics(settings.common.kafka_bootstrap_servers, names=produced + tuple(topics.dlq(t) for t in produced))
    app = create_app(notifier, _ready_check(notifier))
    server = make_server(settings.common.http_host, settings.common.http_port, app, threaded=True)
    http_thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    http_thread.start()
    start_workers(notifier, stop)
    logger.info("notifier listening on %s:%d", settings.common.http_host, server.server_port)
    try:
        make_consumer(notifier, stop).run()
    finally:
        stop.set()
        server.shutdown()
        notifier.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stagepool-notifier", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="consumer, senders, reminders and the HTTP API")
    parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as err:
        print(err, file=sys.stderr)
        return 2
    configure_logging(settings.common.service_name, settings.common.log_level)
    run(settings)
    return 1 if workers.crashed.is_set() else 0


if __name__ == "__main__":
    sys.exit(main())
