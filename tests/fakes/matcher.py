"""Doubles of the matcher's ports, and the matcher built through `bootstrap` with them.

- `GreedySolver`: a tiny deterministic solver behind the RoundSolver port;
- `FakeStudentDirectory`: intake's names of a school's students, in a dictionary (records every question);
- `matcher_wiring(**overrides)`: `bootstrap` on test settings with the in-memory store, a FakePublisher, the
  GreedySolver, a Clock, FakeAccounts, a FakeKeyValue for Redis, FakeTokens and a FakeStudentDirectory (any of
  them replaceable);
- factories of wishes, places and envelopes (fictitious, no personal data).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence

from stagepool_shared.config import CommonSettings
from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.events.rounds import Outcome
from stagepool_shared.testing.samples import sample_payload

from matcher.adapters.memory_store import InMemoryRoundStore
from matcher.bootstrap import Wiring, bootstrap
from matcher.config import Settings
from matcher.errors import StudentNamesUnavailable
from matcher.ports import AbstractStudentDirectory, StudentName
from matcher.rounds.compute import Solved
from matcher.rounds.pool import Pool

from .common import Clock, FakeAccounts, FakeKeyValue, FakePublisher, FakeTokens

REGION, PERIOD = "reg-groningen", "2027-p1"


class GreedySolver:
    """Places students in id order at the first place of the same crebo with a free slot (never excluded)."""

    name = "greedy-test"
    version = "1"

    def canonical_input(self, pool: Pool, seed: int) -> object:
        return {"pool": pool, "seed": seed}

    def solve(self, pool: Pool, seed: int) -> Solved:
        free = {p.place_id: p.slots for p in pool.places}
        org = {p.place_id: p.organisation_id for p in pool.places}
        out = []
        for kept in pool.fixed.values():
            free[kept.place_id] = free.get(kept.place_id, 0) - 1
        for wish in pool.wishes:
            if wish.student_ref in pool.fixed:
                f = pool.fixed[wish.student_ref]
                out.append(Outcome(wish.student_ref, wish.school_id, "kept", f.place_id, f.organisation_id,
                                   support_needs=list(wish.support_needs)))
                continue
            excl = pool.exclusions.get(wish.student_ref)
            options = [p for p in pool.places if wish.crebo in p.crebos and free[p.place_id] > 0
                       and not (excl and (p.place_id in excl.place_ids or p.organisation_id in excl.organisation_ids))]
            if options:
                free[options[0].place_id] -= 1
                out.append(Outcome(wish.student_ref, wish.school_id, "placed", options[0].place_id,
                                   org[options[0].place_id], "top1", 20, ["crebo"], list(wish.support_needs)))
            else:
                out.append(Outcome(wish.student_ref, wish.school_id, "unplaced", reason_code="NO_ELIGIBLE_PLACE",
                                   binding_constraint="capacity", support_needs=list(wish.support_needs)))
        return Solved(out)


#: Fictitious names of the unit tests' students: pseudonym -> (school, name, student number).
NAMES = {"stu-1": ("sch-a", "Anna de Vries", "100001"), "stu-2": ("sch-b", "Bram Bakker", "200002"),
         "stu-3": ("sch-a", "Chris Jansen", "100003")}


class FakeStudentDirectory(AbstractStudentDirectory):
    """Intake's names in a dictionary; `asked` lists every question (school, pseudonyms); `down` fails them.
    Like intake, it refuses a question that holds a pseudonym of another school."""

    def __init__(self, students: dict[str, tuple[str, str, str]] | None = None,
                 schools: dict[str, str] | None = None):
        self.students = dict(NAMES if students is None else students)
        self.schools = dict(schools or {})
        self.asked: list[tuple[str, list[str]]] = []
        self.schools_asked: list[list[str]] = []
        self.down = False

    def school_names(self, school_ids: Sequence[str]) -> dict[str, str]:
        if self.down:
            raise StudentNamesUnavailable("fake: intake is down")
        self.schools_asked.append(list(school_ids))
        return {s: self.schools[s] for s in school_ids if s in self.schools}

    def names(self, school_id: str, student_refs: Sequence[str]) -> dict[str, StudentName]:
        if self.down:
            raise StudentNamesUnavailable("fake: intake is down")
        self.asked.append((school_id, list(student_refs)))
        if any(self.students.get(r, (school_id,))[0] != school_id for r in student_refs):
            raise StudentNamesUnavailable("fake: intake refused another school's student")
        return {r: StudentName(r, *self.students[r][1:]) for r in student_refs if r in self.students}


def matcher_settings() -> Settings:
    """Settings for a matcher that never reaches a server (unit tests hand it doubles)."""
    return Settings(common=CommonSettings("matcher", "127.0.0.1:9", "redis://127.0.0.1:9/0"))


def matcher_wiring(**overrides: Any) -> Wiring:
    """The matcher built by `bootstrap` with doubles for every port; pass any of them to replace it."""
    doubles: dict[str, Any] = dict(store=InMemoryRoundStore(), publisher=FakePublisher(), solver=GreedySolver(),
                                   clock=Clock(), redis_client=FakeKeyValue(), tokens=FakeTokens(),
                                   accounts=FakeAccounts(), code_version="test", directory=FakeStudentDirectory())
    return bootstrap(matcher_settings(), **{**doubles, **overrides})


def wish(ref: str, school: str = "sch-a", support: bool = False, region: str = REGION):
    return replace(sample_payload("wish.submitted"), student_ref=ref, school_id=school, region_id=region,
                   support_needs=["extra_begeleiding"] if support else [])


def place(place_id: str, slots: int = 1, org: str | None = None, region: str = REGION):
    return replace(sample_payload("place.posted"), place_id=place_id, organisation_id=org or f"org-{place_id}",
                   slots=slots, region_id=region, reserved=[])


def event(event_type: str, payload: object, region: str = REGION) -> Envelope:
    return new_envelope(event_type, payload, producer="test", partition_key=region)
