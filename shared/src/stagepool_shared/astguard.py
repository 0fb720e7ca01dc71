"""One thread at a time in `ast.parse`: a guard against a CPython 3.11 race.

CPython 3.11 keeps the AST constructor's recursion counter in per-interpreter state, not per thread
(gh-106905). When two threads build AST objects at once, the counter of one is changed by the other and
`ast.parse` fails with `SystemError: AST constructor recursion depth mismatch`. Python 3.11 parses source
in ordinary places: `traceback` parses each line it underlines with carets, so two threads that log an
exception at the same moment can hit it, and so can Hypothesis describing a strategy while a server thread
logs (seen once in the schemathesis test of a whole `make test`; tests/unit/test_astguard.py shows it).
`install()` wraps `ast.parse` in one re-entrant lock, once per process. Imports the standard library only.
"""

from __future__ import annotations

import ast
import functools
import threading
from typing import Any

_LOCK = threading.RLock()


def install() -> None:
    """Serialise `ast.parse` across threads (idempotent; the lock costs nothing measurable)."""
    if getattr(ast.parse, "_stagepool_guarded", False):
        return
    unguarded = ast.parse

    @functools.wraps(unguarded)
    def parse(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return unguarded(*args, **kwargs)

    parse._stagepool_guarded = True  # type: ignore[attr-defined]
    ast.parse = parse  # type: ignore[assignment]
