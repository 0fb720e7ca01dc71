"""What makes a round reproducible: canonical JSON, its hashes, and the code version in the manifest.

The same value always gives the same bytes, so the same pool, seed and solver always give the same input
and output hashes. Imports the standard library and orjson only.
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import is_dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

import orjson

from stagepool_shared.events.rounds import Outcome


def _plain(value: Any) -> Any:
    """How canonical JSON spells dataclasses (their fields, keys sorted like any dict) and sets (sorted)."""
    if is_dataclass(value) and not isinstance(value, type):
        return vars(value)  # the fields of a (frozen) dataclass; asdict would deep-copy, 4x slower
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON-able")


#: Dataclasses go through `_plain` (orjson would write their fields in declaration order, unsorted).
_CANONICAL = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS


def canonical_json(value: Any) -> bytes:
    """Compact UTF-8 JSON with sorted keys: the same value always gives the same bytes.

    The bytes equal `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` (a unit
    test holds them equal); orjson writes them about 4x faster, a third of a second on a 10,000-student input.
    """
    return orjson.dumps(value, default=_plain, option=_CANONICAL)


def sha256_json(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def output_hash(outcomes: Iterable[Outcome]) -> str:
    """The hash of a round's outcomes, sorted by student. An outcome without a variant-2 `choice` is hashed
    without that field, so every round of a period without variant 2 hashes as before the field existed."""
    return sha256_json([o if o.choice is not None else {k: v for k, v in vars(o).items() if k != "choice"}
                        for o in sorted(outcomes, key=lambda o: o.student_ref)])


def code_version() -> str:
    """The package version plus `git describe` when the source is a git checkout, else "unknown"."""
    try:
        version = metadata.version("stagepool-matcher")
    except metadata.PackageNotFoundError:
        version = "unknown"
    try:
        described = subprocess.run(["git", "describe", "--always"], cwd=Path(__file__).parent,
                                   capture_output=True, text=True, timeout=5)
        suffix = described.stdout.strip() if described.returncode == 0 else "unknown"
    except (OSError, subprocess.SubprocessError):
        suffix = "unknown"
    return f"{version}+{suffix}"
