"""A round's canonical tables and eligible pairs, built once for solver and validator, after its check.

`checked_tables(round, workers)` refuses an inconsistent round (InconsistentInstance naming the record) and
returns the tables and eligible pairs. From CHECK_BESIDE_FROM wishes on, with two workers, the check runs in
a forked child while this process builds them (`fork.beside`; at 30,000 students the check takes about a
quarter of a second, the tables and pairs over one). Its refusal still comes first, as when it ran first: an
error the build meets on an input the check refuses is never what the caller sees, and nothing is solved
before the check has passed.
Imports matcher (domain and fork).
"""

from __future__ import annotations

from typing import Callable, TypeVar

from matcher.domain.consistency import check_round
from matcher.domain.eligibility import Pairs, eligible_pairs
from matcher.domain.model import RoundInput
from matcher.domain.tables import RoundTables, build_tables
from matcher.errors import InconsistentInstance
from matcher.solver import fork

#: From this many wishes on (and with two workers) a check runs in a child beside the build (`matcher solve`
#: decides by the file's size: `offline.CHECK_BESIDE_FROM_BYTES`).
CHECK_BESIDE_FROM = 2_000

T = TypeVar("T")


def checked_tables(rnd: RoundInput, workers: int = 1) -> tuple[RoundTables, Pairs]:
    """check_round, then the tables and eligible pairs; the check beside the build for large rounds."""
    beside = workers if len(rnd.wishes) >= CHECK_BESIDE_FROM else 1
    return check_beside(lambda: check_round(rnd), lambda: tables_and_pairs(rnd), beside)


def check_beside(check: Callable[[], None], build: Callable[[], T], workers: int) -> T:
    """build() for an input check() passes (check raises InconsistentInstance). With `workers` >= 2 the check
    runs in a forked child while build() runs here; its refusal still comes first, whatever build() met on the
    refused input, and build()'s own error is raised only once the check has passed. Also the offline
    command's schema check beside its conversion, consistency check and tables (`offline.load_instance`)."""
    if workers < 2:
        check()
        return build()
    refusal, built = fork.beside(lambda: _refusal(check), lambda: _attempted(build), workers)
    if refusal:
        raise InconsistentInstance(*refusal)
    if isinstance(built, Exception):
        raise built
    return built


def _refusal(check: Callable[[], None]) -> tuple[str, str, str] | tuple[()]:
    """() when the check passes, else its refusal's (record type, record id, reason): a value that pickles."""
    try:
        check()
    except InconsistentInstance as err:
        return (err.record_type, err.record_id, err.reason)
    return ()


def tables_and_pairs(rnd: RoundInput) -> tuple[RoundTables, Pairs]:
    """The round's canonical tables and eligible pairs (the build beside the check, here and in `matcher solve`)."""
    tables = build_tables(rnd)
    return tables, eligible_pairs(tables)


def _attempted(build: Callable[[], T]) -> T | Exception:
    """build(), or the error it met: raised only once the check beside has passed the input."""
    try:
        return build()
    except Exception as err:  # noqa: BLE001  (a refused input can fail anywhere; the refusal comes first)
        return err
