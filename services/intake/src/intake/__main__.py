"""The one entrypoint: `python -m intake serve|consume|run|tokens create ...` (console script stagepool-intake).

serve   production: the HTTP API under gunicorn (HTTP_THREADS threads) with the consumer in the same worker
        process (stagepool_shared.production), bound to HTTP_HOST:HTTP_PORT (default 127.0.0.1:8001)
consume the round.released consumer alone
run     development: Werkzeug's threaded server plus the consumer thread (stagepool_shared.runtime.serve)
tokens create --user U --role R --scope S [--region REGION]   prints a new API token

Each command closes its clients on the way out; SIGTERM/SIGINT stop the loops cleanly.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Sequence

from stagepool_shared import kafka
from stagepool_shared.production import serve_gunicorn
from stagepool_shared.runtime import command_parser, load_settings, serve, stop_on_signals

from .bootstrap import Wiring, bootstrap
from .config import Settings

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    parser, sub = command_parser("intake", "Stagepool intake service", {
        "serve": "production: HTTP API (gunicorn) and consumer", "consume": "run the round.released consumer",
        "run": "HTTP API and consumer in one process", "tokens": "API tokens"})
    tokens_sub = sub["tokens"].add_subparsers(dest="tokens_command", required=True)
    create = tokens_sub.add_parser("create", help="issue a token and print it")
    create.add_argument("--user", required=True)
    create.add_argument("--role", required=True)
    create.add_argument("--scope", required=True)
    create.add_argument("--region", default="")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, read the settings, run the command; exit code 2 on bad configuration."""
    args = _parser().parse_args(argv)
    settings = load_settings(Settings)
    if settings is None:
        return 2
    if args.command == "tokens":
        return create_token(settings, args.user, args.role, args.scope, args.region)
    return {"serve": serve_production, "consume": consume, "run": run}[args.command](settings)


def create_token(settings: Settings, user: str, role: str, scope: str, region: str) -> int:
    """Issue a token (stored hashed) and print it once."""
    wiring = bootstrap(settings)
    try:
        print(wiring.tokens.issue(user, role, scope, region_id=region))
        return 0
    except ValueError as err:
        print(str(err))
        return 2
    finally:
        wiring.close()


def run(settings: Settings) -> int:
    """HTTP API (werkzeug, threaded) and the consumer thread in one process (demo and docker)."""
    stop = stop_on_signals()
    kafka.ensure_topics(settings.common.kafka_bootstrap_servers)
    return serve(indexed(bootstrap(settings)), stop)


def consume(settings: Settings) -> int:
    """The round.released consumer until SIGTERM (no HTTP port)."""
    stop = stop_on_signals()
    wiring = bootstrap(settings)
    try:
        wiring.consumer(stop).run()
        return 0
    finally:
        wiring.close()


def serve_production(settings: Settings) -> int:
    """The HTTP API under gunicorn, with the consumer in the same worker process (stagepool_shared.production)."""
    kafka.ensure_topics(settings.common.kafka_bootstrap_servers)
    return serve_gunicorn(lambda: indexed(bootstrap(settings)), settings.common)


def indexed(wiring: Wiring) -> Wiring:
    """The wiring, once the store has indexed by period the wishes stored before that index (a no-op after the
    first start); logged with the number added."""
    added = wiring.deps.store.index_wishes_by_period()
    if added:
        log.info("indexed %d older wishes by period for the deadline reminders", added)
    return wiring


if __name__ == "__main__":
    sys.exit(main())
