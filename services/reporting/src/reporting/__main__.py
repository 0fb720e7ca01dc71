"""The one entrypoint: `python -m reporting serve | run | report` (console script stagepool-reporting).

serve   production: the same as run with the HTTP API under gunicorn (stagepool_shared.production)
run     development: consumer thread + HTTP API on HTTP_HOST:HTTP_PORT (default 127.0.0.1:8004) with /healthz /readyz /metrics
report  --region R --period P --out DIR [--lang nl|en]: writes the period report as HTML and CSV
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stagepool_shared.production import serve_gunicorn
from stagepool_shared.runtime import command_parser, load_settings, serve, stop_on_signals

from .bootstrap import bootstrap
from .commands.report import figures_of_period
from .config import Settings
from .report.render import LANGS, render_csv, render_html


def _parser() -> argparse.ArgumentParser:
    parser, commands = command_parser("reporting", __doc__, {
        "serve": "production: consume every topic and serve the HTTP API (gunicorn)",
        "run": "development: the same with Werkzeug's server",
        "report": "write the period report of a region (HTML and CSV)"})
    report = commands["report"]
    report.add_argument("--region", required=True)
    report.add_argument("--period", required=True)
    report.add_argument("--out", required=True, type=Path)
    report.add_argument("--lang", choices=LANGS, default=None, help="one language only (default: both)")
    return parser


def run(settings: Settings) -> int:
    """Consume and serve until SIGTERM/SIGINT; close everything on the way out. Returns the exit code."""
    return serve(bootstrap(settings), stop_on_signals())


def report(settings: Settings, region: str, period: str, out: Path, lang: str | None) -> list[Path]:
    """Write report-<region>-<period>.<lang>.html for each language and report-<region>-<period>.csv."""
    wiring = bootstrap(settings, registry=None)
    try:
        figures = figures_of_period(wiring.deps, region, period)
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
        wiring.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = load_settings(Settings)
    if settings is None:
        return 2
    if args.command == "serve":
        return serve_gunicorn(lambda: bootstrap(settings), settings.common)
    if args.command == "run":
        return run(settings)
    for path in report(settings, args.region, args.period, args.out, args.lang):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
