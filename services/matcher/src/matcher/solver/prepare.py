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

from matcher.domain.consistency import check_round
from matcher.domain.eligibility import Pairs, eligible_pairs
from matcher.domain.model import RoundInput
from matcher.domain.tables import RoundTables, build_tables
from matcher.errors import InconsistentInstance
from matcher.solver import fork

#: From this many wishes on (and with two workers) the check runs in a child beside the build.
CHECK_BESIDE_FROM = 2_000


def checked_tables(rnd: RoundInput, workers: int = 1) -> tuple[RoundTables, Pairs]:
    """check_round, then the tables and eligible pairs; the check beside the build for large rounds."""
    if workers < 2 or len(rnd.wishes) < CHECK_BESIDE_FROM:
        check_round(rnd)
        return _built(rnd)
    refusal, built = fork.beside(lambda: refusal_of(rnd), lambda: _attempted(rnd), workers)
    if refusal:
        raise InconsistentInstance(*refusal)
    if isinstance(built, Exception):
        raise built
    return built


def refusal_of(rnd: RoundInput) -> tuple[str, str, str] | tuple[()]:
    """() for a consistent round, else the refusal's (record type, record id, reason): a value that pickles."""
    try:
        check_round(rnd)
    except InconsistentInstance as err:
        return (err.record_type, err.record_id, err.reason)
    return ()


def _built(rnd: RoundInput) -> tuple[RoundTables, Pairs]:
    tables = build_tables(rnd)
    return tables, eligible_pairs(tables)


def _attempted(rnd: RoundInput) -> tuple[RoundTables, Pairs] | Exception:
    """The build, or the error it met: raised only once the check in the child has passed the round."""
    try:
        return _built(rnd)
    except Exception as err:  # noqa: BLE001  (an inconsistent round can fail anywhere; the refusal comes first)
        return err
