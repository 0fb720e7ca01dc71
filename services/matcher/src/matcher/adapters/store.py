"""The round store port and its in-memory implementation (unit tests and `matcher replay`).

The port covers the projections per region and period (wishes, places, accepted placements kept fixed,
exclusions), the frozen input of each round, proposals, approvals and release schedules. Every write that
an event causes is applied at most once per event id (`apply_*` methods return False for a repeat).
Imports the standard library and the matcher's own records only.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field, replace

from stagepool_shared.events.places import Place
from stagepool_shared.events.rounds import Manifest, Outcome, RoundReleaseScheduled, RoundRequested, Summary
from stagepool_shared.events.wishes import Wish

from ..approval import ApprovalVote
from ..rounds import Exclusion, FixedPlacement, Pool, RoundResult


@dataclass(frozen=True)
class RoundRecord:
    """What the store knows about one round."""

    request: RoundRequested
    status: str = "requested"
    requested_at: str = ""
    frozen_at: str | None = None
    manifest: Manifest | None = None
    summary: Summary | None = None
    schools: tuple[str, ...] = ()
    support_schools: tuple[str, ...] = ()
    proposed_at: str | None = None
    release: RoundReleaseScheduled | None = None
    released_at: str | None = None
    approvals: tuple[ApprovalVote, ...] = ()
    failure: str | None = None
    proposal_published: bool = False

    @property
    def round_id(self) -> str:
        return self.request.round_id


class AbstractRoundStore(abc.ABC):
    """The matcher's state; implemented on Redis in production and in memory for tests and replay."""

    # --- projections -------------------------------------------------------------------------
    @abc.abstractmethod
    def put_wish(self, event_id: str, wish: Wish) -> bool: ...

    @abc.abstractmethod
    def remove_wish(self, event_id: str, region_id: str, period_id: str, student_ref: str) -> bool: ...

    @abc.abstractmethod
    def put_place(self, event_id: str, place: Place) -> bool: ...

    @abc.abstractmethod
    def remove_place(self, event_id: str, region_id: str, period_id: str, place_id: str) -> bool: ...

    @abc.abstractmethod
    def erase_student(self, event_id: str, region_id: str, student_ref: str) -> bool:
        """Drop the pseudonym from every period of the region and from the region's stored rounds."""

    @abc.abstractmethod
    def fix_placement(self, event_id: str, region_id: str, period_id: str, fixed: FixedPlacement) -> bool: ...

    @abc.abstractmethod
    def exclude(self, event_id: str, region_id: str, period_id: str, student_ref: str,
                exclusion: Exclusion, unfix: bool) -> bool:
        """Add to the student's exclusions; `unfix` also drops an accepted placement kept fixed."""

    @abc.abstractmethod
    def periods(self, region_id: str) -> list[str]:
        """The periods of a region that have had wishes or places, sorted."""

    @abc.abstractmethod
    def period_of_place(self, region_id: str, place_id: str) -> str | None: ...

    @abc.abstractmethod
    def load_pool(self, region_id: str, period_id: str, sector: str | None) -> Pool: ...

    # --- rounds -------------------------------------------------------------------------------
    @abc.abstractmethod
    def note_requested(self, request: RoundRequested, requested_at: str) -> None:
        """Remember a requested round (no-op when it is known already)."""

    @abc.abstractmethod
    def freeze_pool(self, round_id: str, frozen_at: str) -> tuple[Pool, str]:
        """The round's frozen input: taken from the projection once, then always the same."""

    @abc.abstractmethod
    def save_proposal(self, event_id: str, round_id: str, result: RoundResult, proposed_at: str) -> bool: ...

    @abc.abstractmethod
    def mark_proposal_published(self, round_id: str) -> None:
        """The stored proposal's round.proposed parts are acknowledged by the broker."""

    @abc.abstractmethod
    def fail_round(self, event_id: str, round_id: str, reason: str) -> bool:
        """Mark a round that cannot be computed (inconsistent input), with the reason naming the record."""

    @abc.abstractmethod
    def get_round(self, round_id: str) -> RoundRecord | None: ...

    @abc.abstractmethod
    def list_rounds(self, region_id: str) -> list[RoundRecord]: ...

    @abc.abstractmethod
    def outcomes(self, round_id: str) -> list[Outcome]:
        """The stored outcomes of a proposed round, sorted by student."""

    @abc.abstractmethod
    def add_approval(self, event_id: str, round_id: str, vote: ApprovalVote) -> bool: ...

    @abc.abstractmethod
    def schedule_release(self, event_id: str, release: RoundReleaseScheduled, due_epoch: float) -> bool: ...

    @abc.abstractmethod
    def due_releases(self, now_epoch: float) -> list[str]: ...

    @abc.abstractmethod
    def mark_released(self, round_id: str, released_at: str) -> None: ...


@dataclass
class _Period:
    wishes: dict[str, Wish] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    fixed: dict[str, FixedPlacement] = field(default_factory=dict)
    exclusions: dict[str, Exclusion] = field(default_factory=dict)


class InMemoryRoundStore(AbstractRoundStore):
    """Dictionaries behind the port: same behaviour as the Redis store, no server."""

    def __init__(self) -> None:
        self.by_period: dict[tuple[str, str], _Period] = {}
        self.rounds: dict[str, RoundRecord] = {}
        self.frozen: dict[str, Pool] = {}
        self.stored_outcomes: dict[str, dict[str, Outcome]] = {}
        self.schedule: dict[str, float] = {}
        self.processed: set[str] = set()

    def _once(self, event_id: str) -> bool:
        if event_id in self.processed:
            return False
        self.processed.add(event_id)
        return True

    def _period(self, region_id: str, period_id: str) -> _Period:
        return self.by_period.setdefault((region_id, period_id), _Period())

    def put_wish(self, event_id: str, wish: Wish) -> bool:
        if not self._once(event_id):
            return False
        self._period(wish.region_id, wish.period_id).wishes[wish.student_ref] = wish
        return True

    def remove_wish(self, event_id: str, region_id: str, period_id: str, student_ref: str) -> bool:
        if not self._once(event_id):
            return False
        self._period(region_id, period_id).wishes.pop(student_ref, None)
        return True

    def put_place(self, event_id: str, place: Place) -> bool:
        if not self._once(event_id):
            return False
        self._period(place.region_id, place.period_id).places[place.place_id] = place
        return True

    def remove_place(self, event_id: str, region_id: str, period_id: str, place_id: str) -> bool:
        if not self._once(event_id):
            return False
        self._period(region_id, period_id).places.pop(place_id, None)
        return True

    def erase_student(self, event_id: str, region_id: str, student_ref: str) -> bool:
        if not self._once(event_id):
            return False
        for (region, _), period in self.by_period.items():
            if region == region_id:
                for table in (period.wishes, period.fixed, period.exclusions):
                    table.pop(student_ref, None)
        for round_id, record in self.rounds.items():
            if record.request.region_id == region_id:
                self.stored_outcomes.get(round_id, {}).pop(student_ref, None)
                if round_id in self.frozen:
                    self.frozen[round_id] = _without(self.frozen[round_id], student_ref)
        return True

    def fix_placement(self, event_id: str, region_id: str, period_id: str, fixed: FixedPlacement) -> bool:
        if not self._once(event_id):
            return False
        self._period(region_id, period_id).fixed[fixed.student_ref] = fixed
        return True

    def exclude(self, event_id: str, region_id: str, period_id: str, student_ref: str,
                exclusion: Exclusion, unfix: bool) -> bool:
        if not self._once(event_id):
            return False
        period = self._period(region_id, period_id)
        old = period.exclusions.get(student_ref, Exclusion())
        period.exclusions[student_ref] = old.merged(exclusion.place_ids, exclusion.organisation_ids)
        if unfix:
            period.fixed.pop(student_ref, None)
        return True

    def periods(self, region_id: str) -> list[str]:
        return sorted({period_id for region, period_id in self.by_period if region == region_id})

    def period_of_place(self, region_id: str, place_id: str) -> str | None:
        for (region, period_id), period in sorted(self.by_period.items()):
            if region == region_id and place_id in period.places:
                return period_id
        return None

    def load_pool(self, region_id: str, period_id: str, sector: str | None) -> Pool:
        period = self._period(region_id, period_id)
        return Pool(region_id, period_id, sector, tuple(period.wishes.values()), tuple(period.places.values()),
                    dict(period.fixed), dict(period.exclusions))

    def note_requested(self, request: RoundRequested, requested_at: str) -> None:
        self.rounds.setdefault(request.round_id, RoundRecord(request=request, requested_at=requested_at))

    def freeze_pool(self, round_id: str, frozen_at: str) -> tuple[Pool, str]:
        record = self.rounds[round_id]
        if round_id not in self.frozen:
            req = record.request
            self.frozen[round_id] = self.load_pool(req.region_id, req.period_id, req.sector)
            self.rounds[round_id] = replace(record, frozen_at=frozen_at)
        return self.frozen[round_id], self.rounds[round_id].frozen_at or frozen_at

    def save_proposal(self, event_id: str, round_id: str, result: RoundResult, proposed_at: str) -> bool:
        if not self._once(event_id):
            return False
        record = self.rounds[round_id]
        self.rounds[round_id] = replace(record, status="proposed", manifest=result.manifest, summary=result.summary,
                                        schools=result.schools, support_schools=result.support_schools,
                                        proposed_at=proposed_at)
        self.stored_outcomes[round_id] = {o.student_ref: o for o in result.outcomes}
        return True

    def mark_proposal_published(self, round_id: str) -> None:
        self.rounds[round_id] = replace(self.rounds[round_id], proposal_published=True)

    def fail_round(self, event_id: str, round_id: str, reason: str) -> bool:
        if not self._once(event_id):
            return False
        self.rounds[round_id] = replace(self.rounds[round_id], status="failed", failure=reason)
        return True

    def get_round(self, round_id: str) -> RoundRecord | None:
        return self.rounds.get(round_id)

    def list_rounds(self, region_id: str) -> list[RoundRecord]:
        found = [r for r in self.rounds.values() if r.request.region_id == region_id]
        return sorted(found, key=lambda r: (r.requested_at, r.round_id))

    def outcomes(self, round_id: str) -> list[Outcome]:
        return [o for _, o in sorted(self.stored_outcomes.get(round_id, {}).items())]

    def add_approval(self, event_id: str, round_id: str, vote: ApprovalVote) -> bool:
        if not self._once(event_id):
            return False
        record = self.rounds[round_id]
        votes = tuple(v for v in record.approvals if v.user_id != vote.user_id) + (vote,)
        self.rounds[round_id] = replace(record, approvals=votes)
        return True

    def schedule_release(self, event_id: str, release: RoundReleaseScheduled, due_epoch: float) -> bool:
        if not self._once(event_id):
            return False
        self.rounds[release.round_id] = replace(self.rounds[release.round_id], release=release)
        self.schedule[release.round_id] = due_epoch
        return True

    def due_releases(self, now_epoch: float) -> list[str]:
        return sorted(r for r, due in self.schedule.items() if due <= now_epoch)

    def mark_released(self, round_id: str, released_at: str) -> None:
        self.schedule.pop(round_id, None)
        self.rounds[round_id] = replace(self.rounds[round_id], status="released", released_at=released_at)


def _without(pool: Pool, student_ref: str) -> Pool:
    """A pool with one student's records dropped (erasure)."""
    return replace(pool, wishes=tuple(w for w in pool.wishes if w.student_ref != student_ref),
                   fixed={k: v for k, v in pool.fixed.items() if k != student_ref},
                   exclusions={k: v for k, v in pool.exclusions.items() if k != student_ref})
