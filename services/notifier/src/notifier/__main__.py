"""The notifier's one entrypoint: `python -m notifier run` (console script `stagepool-notifier`).

`run` starts the Kafka consumer, the sender threads, the reminder loop, the outbox relay and the HTTP API
(inbox, accept/refuse, /healthz /readyz /metrics) on HTTP_HOST:HTTP_PORT, until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import sys

from stagepool_shared import topics
from stagepool_shared.kafka import ensure_topics
from stagepool_shared.runtime import load_settings, serve, stop_on_signals

from .bootstrap import bootstrap
from .config import Settings
from .metrics import track_pending


def run(settings: Settings) -> int:
    """Run every part of the notifier (stagepool_shared.runtime.serve) until a stop signal; returns the exit
    code: 0 after a clean stop, 1 when a part died."""
    stop = stop_on_signals()
    wiring = bootstrap(settings)
    track_pending(wiring.deps.store.pending_count)
    produced = tuple(dict.fromkeys(settings.topic_names + (topics.NOTIFICATIONS, topics.PLACEMENTS)))
    ensure_topics(settings.common.kafka_bootstrap_servers, names=produced + tuple(topics.dlq(t) for t in produced))
    return serve(wiring, stop)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stagepool-notifier", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="consumer, senders, reminders and the HTTP API")
    parser.parse_args(argv)
    settings = load_settings(Settings)
    if settings is None:
        return 2
    return run(settings)


if __name__ == "__main__":
    sys.exit(main())
