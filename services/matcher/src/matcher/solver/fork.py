"""Independent pieces of a round (components, validator parts) worked on side by side in forked processes.

`map_side_by_side(fn, items, workers, weight)` deals the items to `workers` shares (the heaviest first, each
to the lightest share), runs `fn` on every share but the first in a forked child and on the first here, and
returns one result per item in the items' order. The pieces are independent, so the results are the same as
with one process. `beside(there, here, workers)` runs two different jobs at once: `there()` in a child while
`here()` runs in this process (a check beside a build, `prepare.check_beside`). `Pending(fn, workers)` starts
`fn()` in a child and collects it when asked, so this process can go on meanwhile with work the caller chooses
(the validation while the explanations and the round's outcomes are written, `solve_validating`).

Why processes: OR-tools holds the GIL while it solves, so a second thread would not run at the same time
(measured: two solves in two threads take as long as one after the other). A forked child shares the
round's columns with its parent (copy on write) and sends back only its pickled results; it runs no exit
handler and touches no inherited connection: it computes, writes its results to a pipe and exits.
A child that delivers nothing (killed, out of memory, an exception) costs time, never a round: its share is
then worked on here, and an exception is raised here as in one process.
Imports the standard library only.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import signal
from typing import Any, Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

logger = logging.getLogger(__name__)

#: A round with fewer eligible pairs than this is worked on in one process: a fork costs more than it saves.
WORTH_FORKING = 20_000


def workers_for(workers: int, pairs: int) -> int:
    """The processes worth using for a round of `pairs` eligible pairs (1 when fork is not at hand)."""
    return workers if pairs >= WORTH_FORKING and hasattr(os, "fork") else 1


def deal(weights: Sequence[int], workers: int) -> list[list[int]]:
    """Item positions dealt to at most `workers` shares: the heaviest first, each to the lightest share;
    each share in ascending position, empty shares left out."""
    shares: list[list[int]] = [[] for _ in range(max(workers, 1))]
    load = [0] * len(shares)
    for i in sorted(range(len(weights)), key=lambda i: (-weights[i], i)):
        lightest = load.index(min(load))
        shares[lightest].append(i)
        load[lightest] += weights[i]
    return [sorted(share) for share in shares if share]


def map_side_by_side(fn: Callable[[list[T]], list[R]], items: Sequence[T], workers: int,
                     weight: Callable[[T], int]) -> list[R]:
    """fn(share) -> one result per item of the share, over `workers` processes; the results in items' order."""
    if workers < 2 or len(items) < 2:
        return fn(list(items))
    shares = deal([weight(item) for item in items], workers)
    pieces = [[items[i] for i in share] for share in shares]
    children: list[_Child] = []
    try:
        children += [_Child(lambda piece=piece: fn(piece)) for piece in pieces[1:]]
        results = [fn(pieces[0])]
        for piece, child in zip(pieces[1:], children):
            delivered = child.result()
            results.append(delivered if delivered is not None else fn(piece))
    finally:  # an error here leaves no child behind
        for child in children:
            child.stop()
    ordered: list[Any] = [None] * len(items)
    for share, result in zip(shares, results):
        for i, value in zip(share, result):
            ordered[i] = value
    return ordered


def beside(there: Callable[[], R], here: Callable[[], T], workers: int) -> tuple[R, T]:
    """(there(), here()), with `there()` in a forked child while `here()` runs here when `workers` >= 2;
    `there()` must not return None (None is "the child delivered nothing": it then runs here, after `here()`)."""
    pending = Pending(there, workers)
    try:
        mine = here()
    except BaseException:  # an error here leaves no child behind
        pending.stop()
        raise
    return pending.result(), mine


class Pending:
    """`fn()` started in a forked child when `workers` >= 2, its result collected later (`result()`, once),
    while this process goes on with other work; with one worker (or no fork) `fn()` runs at once, here.
    `fn()` must not return None: a child that delivers nothing has `fn()` run here when the result is asked.
    Whoever starts one collects it or stops it (`stop()`): no child is left behind."""

    def __init__(self, fn: Callable[[], R], workers: int):
        self._fn = fn
        forking = workers >= 2 and hasattr(os, "fork")
        self._child = _Child(fn) if forking else None
        self._value = None if forking else fn()

    def result(self) -> Any:
        if self._child is not None:
            try:
                self._value = self._child.result()
            finally:
                self._child.stop()
                self._child = None
            if self._value is None:
                self._value = self._fn()
        return self._value

    def stop(self) -> None:
        """Kill and reap the child when its result is no longer wanted (nothing when it was collected)."""
        if self._child is not None:
            self._child.stop()
            self._child = None


class _Child:
    """A forked child computing `fn()`; `result()` waits for it (once) and is None when it delivered none."""

    def __init__(self, fn: Callable[[], Any]):
        read_end, write_end = os.pipe()
        try:
            self.pid = os.fork()
        except OSError as err:  # no memory or no process slot for a child: the share is worked on here
            logger.warning("no solver child could be forked (%s): its share is worked on here", err)
            os.close(read_end)
            os.close(write_end)
            self.pid, self._waited = 0, True
            return
        if self.pid == 0:  # the child: never returns into the caller's code
            os.close(read_end)
            _deliver(fn, write_end)
        os.close(write_end)
        self._read_end = read_end
        self._waited = False

    def result(self) -> Any | None:
        if self._waited:  # never forked
            return None
        with os.fdopen(self._read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self._waited = True
        if not data or not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            logger.warning("a solver child delivered nothing (wait status %s): its share is worked on here", status)
            return None
        return pickle.loads(data)

    def stop(self) -> None:
        """Kill and reap a child whose result is no longer wanted (nothing when it was collected)."""
        if self._waited:
            return
        os.kill(self.pid, signal.SIGKILL)
        os.close(self._read_end)
        os.waitpid(self.pid, 0)
        self._waited = True


def _deliver(fn: Callable[[], Any], write_end: int) -> None:
    """In the child: write pickle(fn()) to the pipe and exit at once (status 1 on any failure). The cyclic
    garbage collector stays off: it would only finalize the parent's garbage a second time and copy the pages
    it walks; the child's arrays go by reference counting."""
    code = 1
    gc.disable()
    try:
        data = pickle.dumps(fn(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        code = 0
    finally:
        os._exit(code)
