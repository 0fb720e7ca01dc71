"""`make demo`: the whole platform on a generated demo region.

Starts Kafka, Redis, a local mail server and the four services as real processes, shows that every
part is healthy, runs the demo region (import, round, approvals, release, delivery, then late students, a
refusal, a withdrawn place and a re-match) and prints a summary with the addresses of the pages and the metrics
and a sign-in for every role. Runs until Ctrl-C; `--once` stops after the summary.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

from stagepool_shared.devstack import _proc, paths

from .clients import ApiError
from .mailbox import SmtpServer
from .platform import SERVICES, Platform
from .scenario import ScenarioFailed, run_demo_region
from .summary import LANGS

DEMO_PORTS = dict(zip(SERVICES, (8001, 8002, 8003, 8004)))


def preferred_ports() -> dict[str, int]:
    """8001-8004 (the documented local ports) for the services whose port is free, so addresses are stable."""
    return {name: port for name, port in DEMO_PORTS.items() if _proc.port_is_free(port)}


def print_health(platform: Platform) -> bool:
    print("\nStagepool: parts and where they listen")
    print(f"{'part':<10} {'address':<34} {'ready':<6}")
    healthy = True
    for part, info in platform.health().items():
        healthy &= bool(info["ready"])
        print(f"{part:<10} {str(info['address']):<34} {'yes' if info['ready'] else 'NO':<6}")
    return healthy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make demo")
    parser.add_argument("--once", action="store_true", help="stop everything after the summary and exit")
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--lang", choices=LANGS, default="nl", help="language of the summary (default: Dutch)")
    args = parser.parse_args(argv)

    workdir = paths.work_dir() / "demo" / time.strftime("%Y%m%d-%H%M%S")
    smtp = SmtpServer().start()
    platform = Platform(Path(workdir), smtp_port=smtp.port, ports=preferred_ports())
    started = time.monotonic()
    try:
        platform.start_all()
        print(f"platform up in {time.monotonic() - started:.1f}s (logs in {workdir})")
        healthy = print_health(platform)
        if not healthy:
            return 1
        try:
            run_demo_region(platform, smtp.mailbox, students=args.students, lang=args.lang)
        except (ScenarioFailed, ApiError, OSError) as err:
            print(f"\nDEMO FAILED: {err}\n(service logs in {workdir})", file=sys.stderr)
            return 1
        if args.once:
            return 0
        print("\nRunning. Press Ctrl-C to stop everything.")
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nstopping")
        return 0
    finally:
        platform.stop()
        smtp.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
