"""The matcher's one entrypoint: `python -m matcher <subcommand>` (console script `stagepool-matcher`).

- `run`: consumer + HTTP API + release scheduler, with /healthz /readyz /metrics (the container's command);
- `consume`: the consumer and the release scheduler only, health on HTTP_PORT;
- `replay ROUND_ID`: rebuild a round from the Kafka event log and compare its output hash (exit 0 if equal);
- `solve --instance FILE --out FILE`: the offline solver (no platform needed).
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from typing import Sequence

logger = logging.getLogger("matcher")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="matcher", description="Stagepool matcher")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="consumer + HTTP API + release scheduler")
    sub.add_parser("consume", help="consumer + release scheduler, health endpoints only")
    replay = sub.add_parser("replay", help="rebuild a round from the event log and compare its output hash")
    replay.add_argument("round_id")
    sub.add_parser("solve", help="offline solver: --instance FILE --out FILE", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["solve"]:
        from .offline import main as offline_main
        return int(offline_main(argv[1:]) or 0)
    args = _parser().parse_args(argv)
    from stagepool_shared.kafka import ensure_topics
    from stagepool_shared.logging import configure_logging
    from stagepool_shared.runtime import stop_on_signals

    from .bootstrap import bootstrap
    from .config import Settings

    from stagepool_shared.errors import ConfigError

    try:
        settings = Settings.from_env()
    except ConfigError as err:
        print(err, file=sys.stderr)
        return 2
    configure_logging(settings.service_name, settings.common.log_level)
    if args.command == "replay":
        from .replay import replay_main
        return replay_main(settings, args.round_id)
    matcher = bootstrap(settings)
    stop = stop_on_signals()
    try:
        ensure_topics(settings.common.kafka_bootstrap_servers)
        return _serve(matcher, stop, with_api=args.command == "run")
    finally:
        stop.set()
        matcher.close()


def _serve(matcher, stop: threading.Event, with_api: bool) -> int:
    """Scheduler thread, HTTP thread (API or health only), consumer loop in the main thread until SIGTERM."""
    from werkzeug.serving import make_server

    from stagepool_shared.metrics import HealthServer

    common = matcher.settings.common
    scheduler = matcher.scheduler(stop).start()
    if with_api:
        server = make_server(common.http_host, common.http_port, matcher.app(), threaded=True)
        threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
        shutdown = server.shutdown
    else:
        health = HealthServer(common.http_host, common.http_port, matcher.ready).start()
        shutdown = health.stop
    logger.info("matcher serving on %s:%d", common.http_host, common.http_port)
    try:
        matcher.consumer(stop).run()
    finally:
        shutdown()
        scheduler.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
