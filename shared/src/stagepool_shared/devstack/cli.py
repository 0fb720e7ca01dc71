"""The `stagepool` console script: `stagepool dev fetch|up|down|status|env`.

    stagepool dev fetch    fetch the Kafka jars from Maven Central (no-op when already there)
    stagepool dev up       start Kafka and Redis detached; prints addresses and export lines
                           (--brokers 3: a 3-node KRaft cluster, topics with 3 replicas and 12 partitions;
                           --redis-sentinel: Redis primary + replica + 3 Sentinels)
    stagepool dev down     stop what `up` started (by the PIDs in .stagepool/run/state.json)
    stagepool dev status   exit 0 only when both answer
    stagepool dev env      print `export KAFKA_BOOTSTRAP_SERVERS=... REDIS_URL=...` lines

Use it as `eval "$(stagepool dev env)"`. Imports argparse and the devstack modules only.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Sequence

from .errors import KafkaStartError, RedisStartError
from .kafka_jars import fetch_kafka_jars
from .stack import DEFAULT_STATE_DIR, DevStack


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stagepool", description="Stagepool developer commands.")
    top = parser.add_subparsers(dest="group", required=True)
    dev = top.add_parser("dev", help="real Kafka (KRaft, jars from Maven Central) and redis-server on 127.0.0.1")
    dev.add_argument("--state-dir", default=DEFAULT_STATE_DIR, help="where state.json and data live (default: %(default)s)")
    sub = dev.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("fetch", help="fetch the Kafka jars (skipped when present and the pom is unchanged)")
    fetch.add_argument("--force", action="store_true", help="run Maven even when the jars are current")
    up = sub.add_parser("up", help="start Kafka and Redis detached, print their addresses")
    up.add_argument("--fresh", action="store_true", help="wipe the Kafka and Redis data first")
    up.add_argument("--brokers", type=int, default=1,
                    help="Kafka nodes, each broker and controller (default: %(default)s; 3 for a replicated cluster)")
    up.add_argument("--replication-factor", type=int, default=None,
                    help="replicas per topic partition (default: 3 when there are 3 brokers or more, else 1)")
    up.add_argument("--redis-sentinel", action="store_true",
                    help="Redis as primary + replica + 3 Sentinels (starts empty); exports STAGEPOOL_REDIS_SENTINELS")
    sub.add_parser("down", help="stop the servers recorded in state.json (by PID)")
    sub.add_parser("status", help="exit 0 only if both answer")
    sub.add_parser("env", help="print the export lines for the running stack")
    return parser


def _fetch(args: argparse.Namespace) -> int:
    print(fetch_kafka_jars(force=args.force).describe())
    return 0


def _up(args: argparse.Namespace) -> int:
    stack = DevStack(args.state_dir, brokers=args.brokers, replication_factor=args.replication_factor,
                     redis_sentinel=args.redis_sentinel)
    started = time.monotonic()
    previous = stack.state()
    state = stack.up(fresh=args.fresh)
    reused = previous is not None and previous.get("pids") == state.get("pids")
    for name, pid in state["pids"].items():
        address = state["redis_url"] if name == "redis" else f"127.0.0.1:{state['ports'][name]}"
        print(f"{name:<13} {address}  pid {pid}  log {state['logs'][name]}")
    print(f"# {'already running' if reused else f'started in {time.monotonic() - started:.1f} s'}; "
          f"state in {stack.state_path}; stop with `stagepool dev down`")  # fmt: skip
    print("\n".join(stack.export_lines()))
    return 0


def _down(args: argparse.Namespace) -> int:
    for line in DevStack(args.state_dir).down():
        print(line)
    return 0


def _status(args: argparse.Namespace) -> int:
    statuses = DevStack(args.state_dir).status()
    for status in statuses:
        print(status.describe())
    return 0 if all(s.answers for s in statuses) else 1


def _env(args: argparse.Namespace) -> int:
    stack = DevStack(args.state_dir)
    if stack.state() is None:
        print(f"# the dev stack is not up (no {stack.state_path}); run `stagepool dev up`", file=sys.stderr)
        return 1
    print("\n".join(stack.export_lines()))
    return 0


_COMMANDS = {"fetch": _fetch, "up": _up, "down": _down, "status": _status, "env": _env}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except (KafkaStartError, RedisStartError, RuntimeError, FileNotFoundError) as exc:
        print(f"stagepool dev {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
