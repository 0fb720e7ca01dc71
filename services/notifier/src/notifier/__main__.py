"""The notifier's one entrypoint: `python -m notifier serve|run` (console script `stagepool-notifier`).

`serve` (production) runs the same parts with the HTTP API under gunicorn (stagepool_shared.production).
`run` (development, Werkzeug) starts the Kafka consumer, the sender threads, the reminder loop, the outbox relay and the HTTP API
(inbox, accept/refuse, /healthz /readyz /metrics) on HTTP_HOST:HTTP_PORT, until SIGTERM/SIGINT.
"""

from __future__ import annotations

import sys

from stagepool_shared import topics
from stagepool_shared.kafka import ensure_topics
from stagepool_shared.production import serve_gunicorn
from stagepool_shared.runtime import command_parser, load_settings, serve, stop_on_signals

from .bootstrap import Wiring, bootstrap
from .config import Settings
from .metrics import track_pending


def wired(settings: Settings) -> Wiring:
    """The notifier's wiring, with its pending-deliveries gauge tracked."""
    wiring = bootstrap(settings)
    track_pending(wiring.deps.store.pending_count)
    return wiring


def ensure_notifier_topics(settings: Settings) -> None:
    produced = tuple(dict.fromkeys(settings.topic_names + (topics.NOTIFICATIONS, topics.PLACEMENTS)))
    ensure_topics(settings.common.kafka_bootstrap_servers, names=produced + tuple(topics.dlq(t) for t in produced))


def run(settings: Settings) -> int:
    """Run every part of the notifier (stagepool_shared.runtime.serve) until a stop signal; returns the exit
    code: 0 after a clean stop, 1 when a part died."""
    stop = stop_on_signals()
    ensure_notifier_topics(settings)
    return serve(wired(settings), stop)


def serve_production(settings: Settings) -> int:
    """The same parts with the HTTP API under gunicorn."""
    ensure_notifier_topics(settings)
    return serve_gunicorn(lambda: wired(settings), settings.common)


def main(argv: list[str] | None = None) -> int:
    parser, _ = command_parser("stagepool-notifier", __doc__, {
        "serve": "production: consumer, senders, reminders and the HTTP API (gunicorn)",
        "run": "development: the same with Werkzeug's server"})
    args = parser.parse_args(argv)
    settings = load_settings(Settings)
    if settings is None:
        return 2
    return serve_production(settings) if args.command == "serve" else run(settings)


if __name__ == "__main__":
    sys.exit(main())
