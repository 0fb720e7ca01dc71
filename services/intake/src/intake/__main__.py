"""The one entrypoint: `python -m intake serve|consume|run|tokens create ...` (console script stagepool-intake).

serve   the HTTP API under gunicorn (threads), bound to HTTP_HOST:HTTP_PORT (default 127.0.0.1:8001)
consume the round.released consumer
run     both in one process: the HTTP server (werkzeug, threaded) plus the consumer thread
tokens create --user U --role R --scope S [--region REGION]   prints a new API token
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Sequence

from stagepool_shared.errors import ConfigError

logger = logging.getLogger("intake")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="intake", description="Stagepool intake service")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the HTTP API (gunicorn)")
    sub.add_parser("consume", help="run the round.released consumer")
    sub.add_parser("run", help="HTTP API and consumer in one process")
    tokens = sub.add_parser("tokens", help="API tokens")
    tokens_sub = tokens.add_subparsers(dest="tokens_command", required=True)
    create = tokens_sub.add_parser("create", help="issue a token and print it")
    create.add_argument("--user", required=True)
    create.add_argument("--role", required=True)
    create.add_argument("--scope", required=True)
    create.add_argument("--region", default="")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, read the settings, run the command; exit code 2 on bad configuration."""
    args = _parser().parse_args(argv)
    from .config import Settings

    try:
        settings = Settings.from_env()
    except ConfigError as err:
        print(str(err), file=sys.stderr)
        return 2
    from stagepool_shared.logging import configure_logging

    configure_logging(settings.service_name, settings.common.log_level)
    from . import cli

    if args.command == "tokens":
        return cli.create_token(settings, args.user, args.role, args.scope, args.region)
    return {"serve": cli.serve, "consume": cli.consume, "run": cli.run}[args.command](settings)


if __name__ == "__main__":
    sys.exit(main())
