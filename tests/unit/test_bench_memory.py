"""bench.memory: a benchmark child reports its own peak memory, not that of the large parent that started it."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHILD = ("import resource; from bench.memory import peak_rss_mb; "
         "print(peak_rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")


def test_a_small_child_of_a_large_parent_reports_its_own_peak():
    ballast = bytearray(400 * 1024 * 1024)
    ballast[::4096] = b"\x01" * len(range(0, len(ballast), 4096))  # touch every page: 400 MB resident
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True, cwd=ROOT)
    own, inherited = map(float, out.stdout.split())
    del ballast
    assert parent >= 400
    assert inherited >= 400, "ru_maxrss no longer carries the parent's peak: the case this guards is gone"
    assert own < 150, f"the child reported {own:.0f} MB"

