"""The round store in memory: dictionaries behind `AbstractRoundStore`, the same behaviour as the Redis store.

Production uses it for `matcher replay` (the event log folded into a projection nobody else sees); unit
tests hand it to `bootstrap` instead of Redis. Every write an event causes is applied at most once per
event id (a repeat returns False). Imports the standard library, the shared events and the matcher's records.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

from stagepool_shared.events.places import Place
from stagepool_shared.events.rounds import Outcome, RoundReleaseScheduled, RoundRequested
from stagepool_shared.events.variants import VariantSet
from stagepool_shared.events.wishes import Wish

from ..ports import AbstractRoundStore
from ..rounds.approval import ApprovalVote
from ..rounds.compute import RoundResult
from ..rounds.objection import Objection, approval_entry, objection_entries, without_student, withdrawn_by
from ..rounds.pool import (KeptPlacement, Pool, StudentExclusions, released_to_bind, variant_lines,
                           withdrawn_marks)
from ..rounds.record import RoundRecord
from ..rounds.stale import Stale


@dataclass
class _Period:
    wishes: dict[str, Wish] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    fixed: dict[str, KeptPlacement] = field(default_factory=dict)
    exclusions: dict[str, StudentExclusions] = field(default_factory=dict)


class InMemoryRoundStore(AbstractRoundStore):
    """Dictionaries behind the port: same behaviour as the Redis store, no server."""

    def __init__(self) -> None:
        self.by_period: dict[tuple[str, str], _Period] = {}
        self.rounds: dict[str, RoundRecord] = {}
        self.frozen: dict[str, Pool] = {}
        self.stored_outcomes: dict[str, dict[str, Outcome]] = {}
        self.schedule: dict[str, float] = {}
        self.processed: set[str] = set()
        self.fast_track_queue: dict[tuple[str, str], dict[str, float]] = {}  # issue 20.3
        self.variant_lines: dict[tuple[str, str], dict[tuple[str, str], tuple[int, int]]] = {}  # issue 15.3
        self.stored_offers: dict[str, dict[str, tuple[str, ...]]] = {}  # a candidates round's offers

    def _once(self, event_id: str) -> bool:
        if event_id in self.processed:
            return False
        self.processed.add(event_id)
        return True

    def _period(self, region_id: str, period_id: str) -> _Period:
        return self.by_period.setdefault((region_id, period_id), _Period())

    def put_variant(self, event_id: str, setting: VariantSet) -> bool:
        if not self._once(event_id):
            return False
        period = self.variant_lines.setdefault((setting.region_id, setting.period_id), {})
        period[(setting.school_id, setting.crebo)] = (setting.variant, setting.candidates)
        return True

    def variants(self, region_id: str, period_id: str) -> dict[tuple[str, str], tuple[int, int]]:
        return dict(self.variant_lines.get((region_id, period_id), {}))

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

    def remove_place(self, event_id: str, region_id: str, period_id: str, place_id: str,
                     withdrawn_at: str | None = None) -> bool:
        if not self._once(event_id):
            return False
        period = self._period(region_id, period_id)
        period.places.pop(place_id, None)
        if withdrawn_at is not None:
            period.fixed.update({f.student_ref: f for f in withdrawn_marks(period.fixed, place_id, withdrawn_at)})
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
                self.stored_offers.get(round_id, {}).pop(student_ref, None)
                self.rounds[round_id] = replace(record, audit=without_student(record.audit, student_ref),
                                                objections=tuple(o for o in record.objections
                                                                 if o.student_ref != student_ref))
                if round_id in self.frozen:
                    self.frozen[round_id] = _without(self.frozen[round_id], student_ref)
        return True

    def fix_placement(self, event_id: str, region_id: str, period_id: str, fixed: KeptPlacement) -> bool:
        if not self._once(event_id):
            return False
        self._period(region_id, period_id).fixed[fixed.student_ref] = fixed
        return True

    def bind_released(self, event_id: str, region_id: str, period_id: str, released: list[KeptPlacement],
                      released_at: str) -> bool:
        if not self._once(event_id):
            return False
        period = self._period(region_id, period_id)
        period.fixed.update({f.student_ref: f for f in released_to_bind(released, period.fixed, released_at)})
        return True

    def exclude(self, event_id: str, region_id: str, period_id: str, student_ref: str,
                exclusion: StudentExclusions, unfix: bool) -> bool:
        if not self._once(event_id):
            return False
        period = self._period(region_id, period_id)
        old = period.exclusions.get(student_ref, StudentExclusions())
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

    def places_present(self, region_id: str, period_id: str, place_ids: Sequence[str]) -> set[str]:
        return set(place_ids) & set(self._period(region_id, period_id).places)

    def load_pool(self, region_id: str, period_id: str, sector: str | None) -> Pool:
        period = self._period(region_id, period_id)
        return Pool(region_id, period_id, sector, tuple(period.wishes.values()), tuple(period.places.values()),
                    dict(period.fixed), dict(period.exclusions),
                    variant_lines(self.variants(region_id, period_id)))

    def note_requested(self, request: RoundRequested, requested_at: str) -> None:
        self.rounds.setdefault(request.round_id, RoundRecord(request=request, requested_at=requested_at))

    def freeze_pool(self, round_id: str, frozen_at: str, source_round_id: str | None = None,
                    choices: dict[str, tuple[str, ...]] | None = None) -> tuple[Pool, str]:
        record = self.rounds[round_id]
        if round_id not in self.frozen:
            req = record.request
            if source_round_id is None:
                self.frozen[round_id] = self.load_pool(req.region_id, req.period_id, req.sector)
            else:
                self.frozen[round_id] = replace(self.frozen[source_round_id], offers=self.offers(source_round_id),
                                                choices=dict(choices or {}))
            self.rounds[round_id] = replace(record, frozen_at=frozen_at)
        return self.frozen[round_id], self.rounds[round_id].frozen_at or frozen_at

    def save_proposal(self, event_id: str, round_id: str, result: RoundResult, proposed_at: str) -> bool:
        if not self._once(event_id):
            return False
        record = self.rounds[round_id]
        self.rounds[round_id] = replace(record, status=result.status, manifest=result.manifest, summary=result.summary,
                                        schools=result.schools, support_schools=result.support_schools,
                                        proposed_at=proposed_at)
        self.stored_outcomes[round_id] = {o.student_ref: o for o in result.outcomes}
        self.stored_offers[round_id] = {o.student_ref: o.place_ids for o in result.offers}
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

    def offers(self, round_id: str) -> dict[str, tuple[str, ...]]:
        return dict(sorted(self.stored_offers.get(round_id, {}).items()))

    def add_approval(self, event_id: str, round_id: str, vote: ApprovalVote, at: str = "") -> bool:
        if not self._once(event_id):
            return False
        record = self.rounds[round_id]
        votes = tuple(v for v in record.approvals if v.user_id != vote.user_id) + (vote,)
        self.rounds[round_id] = replace(record, approvals=votes, audit=record.audit + (approval_entry(vote, at),))
        return True

    def add_objection(self, event_id: str, round_id: str, period_id: str, objection: Objection) -> bool:
        if not self._once(event_id):
            return False
        record = self.rounds[round_id]
        period = self._period(record.request.region_id, period_id)
        old = period.exclusions.get(objection.student_ref, StudentExclusions())
        period.exclusions[objection.student_ref] = old.merged((objection.place_id,), ())
        withdrawn = withdrawn_by(objection, record.approvals)
        self.rounds[round_id] = replace(
            record, approvals=tuple(v for v in record.approvals if v not in withdrawn),
            objections=record.objections + (objection,),
            audit=record.audit + tuple(objection_entries(objection, withdrawn)))
        return True

    def round_places(self, round_id: str) -> dict[str, Place]:
        pool = self.frozen.get(round_id)
        return {p.place_id: p for p in pool.places} if pool else {}

    def schedule_release(self, event_id: str, release: RoundReleaseScheduled, due_epoch: float) -> bool:
        if not self._once(event_id):
            return False
        self.rounds[release.round_id] = replace(self.rounds[release.round_id], release=release, held=None)
        self.schedule[release.round_id] = due_epoch
        return True

    def due_releases(self, now_epoch: float) -> list[str]:
        return sorted(r for r, due in self.schedule.items() if due <= now_epoch)

    def mark_released(self, round_id: str, released_at: str) -> bool:
        self.schedule.pop(round_id, None)
        if self.rounds[round_id].status == "released":
            return False
        self.rounds[round_id] = replace(self.rounds[round_id], status="released", released_at=released_at,
                                                held=None)
        return True

    def scheduled_releases(self) -> list[str]:
        return sorted(self.schedule)

    def hold_release(self, round_id: str, held: Stale) -> bool:
        self.schedule.pop(round_id, None)
        if self.rounds[round_id].status == "released":
            return False
        self.rounds[round_id] = replace(self.rounds[round_id], held=held)
        return True

    # --- the re-placement fast track's queue (issue 20.3) ----------------------------------------
    def queue_fast_track(self, event_id: str, region_id: str, period_id: str, student_refs: Sequence[str],
                         at_epoch: float) -> bool:
        if not self._once(event_id):
            return False
        queue = self.fast_track_queue.setdefault((region_id, period_id), {})
        for ref in student_refs:
            queue.setdefault(ref, at_epoch)
        return True

    def queued_fast_tracks(self, before_epoch: float) -> list[tuple[str, str, list[str]]]:
        return [(region, period, sorted(r for r, at in queue.items() if at <= before_epoch))
                for (region, period), queue in sorted(self.fast_track_queue.items())
                if any(at <= before_epoch for at in queue.values())]

    def unqueue_fast_track(self, region_id: str, period_id: str, student_refs: Sequence[str]) -> None:
        queue = self.fast_track_queue.get((region_id, period_id), {})
        for ref in student_refs:
            queue.pop(ref, None)


def _without(pool: Pool, student_ref: str) -> Pool:
    """A pool with one student's records dropped (erasure)."""
    return replace(pool, wishes=tuple(w for w in pool.wishes if w.student_ref != student_ref),
                   fixed={k: v for k, v in pool.fixed.items() if k != student_ref},
                   exclusions={k: v for k, v in pool.exclusions.items() if k != student_ref},
                   offers={k: v for k, v in pool.offers.items() if k != student_ref},
                   choices={k: v for k, v in pool.choices.items() if k != student_ref})
