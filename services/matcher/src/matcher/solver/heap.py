"""The solver's heap: freed memory back to the operating system before a flow network grows (issue 17.4), and
the cyclic garbage collector paused while a round runs.

numpy arrays below glibc's mmap threshold (which glibc raises itself, up to 32 MB, after a larger block is
freed) come from the heap, and their pages stay with the process when they are freed. At 250,000 students
that kept ~300 MB beyond what was live when OR-tools built the largest network. `malloc_trim(0)` returns
every free whole page of the heap (glibc 2.8 and later), so the peak is what is live. One call costs
milliseconds; it changes no result. Where the C library has no `malloc_trim` (not glibc) it does nothing.

`gc_paused` is for whoever runs a whole round (the service's round handler and scenario worker, `matcher solve`):
a round allocates millions of short-lived objects without reference cycles next to a large live heap, and the
collector would walk that heap again and again for nothing.
Imports ctypes, gc and contextlib only.
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Iterator
from contextlib import contextmanager

try:
    _TRIM = ctypes.CDLL(None).malloc_trim
except (OSError, AttributeError):
    _TRIM = None


#: Networks from this many arcs on give the heap's free pages back before a solver (OR-tools) copies and solves
#: them: there OR-tools holds ~70-96 MB a million arcs and a trim costs little beside the solve; on smaller networks
#: (every component up to 50,000 students in the bench regions) a trim would cost more time than the memory is worth.
GIVE_BACK_ARCS = 1 << 20


def give_back_before(n_arcs: int) -> None:
    """`give_back` before a solver holds a network of `n_arcs` arcs, when it is that large."""
    if n_arcs >= GIVE_BACK_ARCS:
        give_back()


def give_back() -> bool:
    """Return the heap's free pages to the operating system; True when the C library could do it."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the duration of a round, and on again afterwards whatever happens.

    At 10,000 students the collector took about 1.5 s of a service round; at 50,000 it took 0.7-1.1 s of
    `matcher solve`'s output document alone (0.48-0.51 s with it paused, 1.18-1.61 s without). When two rounds
    overlap (a round and a scenario in one process), the one that paused it last may see it on again before it
    ends: slower, never left off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
