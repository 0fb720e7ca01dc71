"""Peak memory of the running program, measured so that a parent process does not leak into it.

`resource.getrusage(RUSAGE_SELF).ru_maxrss` is wrong in a child started by `subprocess` from a large parent:
Linux carries the high-water mark of the forked copy of the parent across `execve`. The service bench's
child, started by `make bench` after the 250k matcher run, reported 5,485 MB; its own peak is 264 MB (and a
13 MB child of a 1.5 GB parent reported 1,513 MB). `VmHWM` in /proc/self/status belongs to the program's
own address space, made new at exec, and is exact.
"""

from __future__ import annotations

import resource
from pathlib import Path

STATUS = Path("/proc/self/status")


def peak_rss_mb() -> float:
    """The peak resident set size of this program since it started, in MiB."""
    try:
        for line in STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: no parent to leak here
