"""The one entrypoint: `python -m reporting run | report` (console script stagepool-reporting).

run     consumer thread + HTTP API on HTTP_HOST:HTTP_PORT (default 127.0.0.1:8004) with /healthz /readyz /metrics
report  --region R --period P --out DIR [--lang nl|en]: writes the period report as HTML and CSV
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from pathlib import Path

from werkzeug.serving import make_server

from stagepool_shared import kafka
from stagepool_shared.errors import ConfigError
from stagepool_shared.logging import configure_logging
from stagepool_shared.runtime import stop_on_signals

from .bootstrap import bootstrap
from .config import Settings
from .entrypoints.consumer import consumer_loop, start_consumer
from .entrypoints.http_app import create_app
from .report.render import LANGS, render_csv, render_html

logger = logging.getLogger("reporting")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reporting", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="consume every topic and serve the HTTP API")
    report = commands.add_parser("report", help="write the period report of a region (HTML and CSV)")
    report.add_argument("--region", required=True)
    report.add_argument("--period", required=True)
    report.add_argument("--out", required=True, type=Path)
    report.add_argument("--lang", choices=LANGS, default=None, help="one language only (default: both)")
    return parser


def run(settings: Settings) -> None:
    """Consume and serve until SIGTERM/SIGINT; close everything on the way out."""
    stop = stop_on_signals()
    reporting = bootstrap(settings)
    try:
        server = make_server(settings.common.http_host, settings.common.http_port, create_app(reporting),
                             threaded=True)
        threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
        logger.info("reporting listening on %s:%d", settings.common.http_host, server.server_port)
        kafka.ensure_topics(settings.common.kafka_bootstrap_servers)
        consumer = start_consumer(consumer_loop(reporting, stop))
        while not stop.wait(0.5):
            if not consumer.is_alive():
                raise RuntimeError("the consumer stopped unexpectedly")
        server.shutdown()
        consumer.join(timeout=10)
    finally:
        reporting.close()


def report(settings: Settings, region: str, period: str, out: Path, lang: str | None) -> list[Path]:
    """Write report-<region>-<period>.<lang>.html for each language and report-<region>-<period>.csv."""
    reporting = bootstrap(settings, registry=None)
    try:
        figures = reporting.period_figures(region, period)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for language in [lang] if lang else list(LANGS):
            path = out / f"report-{region}-{period}.{language}.html"
            path.write_text(render_html(figures, language), encoding="utf-8")
            written.append(path)
        csv_path = out / f"report-{region}-{period}.csv"
        csv_path.write_text(render_csv(figures), encoding="utf-8")
        return written + [csv_path]
    finally:
        reporting.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as err:
        print(err, file=sys.stderr)
        return 2
    configure_logging(settings.service_name, settings.common.log_level)
    if args.command == "run":
        run(settings)
    else:
        for path in report(settings, args.region, args.period, args.out, args.lang):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
