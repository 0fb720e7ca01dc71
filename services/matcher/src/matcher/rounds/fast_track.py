"""The re-placement fast track (issue 20.3, R114): one or a few students re-placed from free capacity only.

A student who refused, was rejected after the kennismaking, lost a withdrawn place or was sent back by the
desk should not wait for the next regional round. A fast-track round (`kind: fast_track`, naming its students
in `RoundRequested.student_refs`) is a round like any other (frozen input, the same solver and validator,
manifest, per-school approval, release), computed from a narrowed pool:

- the named students who still seek (a wish in the period's pool);
- every student whose placement binds at the request moment, kept fixed: their slot stays taken, and
  `compute_round` refuses any result that moves one (`check_binding_kept`);
- nobody else: students waiting for a full round are left out, so no one else's chance changes;
- a binding placement the pool cannot keep fixed (its student has no wish any more, or it is excluded or over
  the place's slots since) still takes its slot off the place's capacity: the fast track never offers it.

So the named students can only take free capacity. The validator certifies the narrowed pool like a round
(feasible, as many placed as a separate maximum flow allows); `check_free_capacity` checks again, against
the whole period, that no place holds more than its slots. The proposal holds the named students' outcomes
only (the kept ones are not part of the round), so only their school approves it and only they are notified
at release. Imports the standard library, the shared events and this layer's modules.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING, Iterable

from stagepool_shared.events.places import Place
from stagepool_shared.events.rounds import FAST_TRACK, Outcome, RoundRequested

from ..errors import RoundError
from .compute import HOLDING, RoundResult, compute_round
from .manifest import output_hash
from .pool import Pool
from .summary import summarise
from .variant2 import VARIANT2_KINDS, compute_variant2

if TYPE_CHECKING:
    from ..ports import RoundSolver

#: At most this many students in one fast-track round (a full re-match is there for many at once).
FAST_TRACK_MAX = 20


def compute_for(request: RoundRequested, pool: Pool, solver: "RoundSolver", code_version: str,
                at: str | None) -> RoundResult:
    """Compute a requested round: a fast-track one from free capacity, variant 2's candidates and final rounds
    (`variant2`), any other as a full round."""
    if request.kind == FAST_TRACK:
        return compute_fast_track(pool, request.student_refs, request.seed, solver, code_version, at)
    if request.kind in VARIANT2_KINDS:
        return compute_variant2(request.kind, pool, request.seed, solver, code_version, at)
    return compute_round(pool, request.seed, solver, code_version, at=at)


def fast_track_pool(pool: Pool, student_refs: Iterable[str], at: str | None) -> Pool:
    """The pool of a fast-track round: the named students, every binding placement kept, nobody else."""
    named = set(student_refs)
    base = pool.narrowed()
    narrowed = base.binding(at)
    held = {ref for ref, _ in narrowed.keepable()}
    wishes = tuple(w for w in narrowed.wishes if w.student_ref in named or w.student_ref in held)
    refs = {w.student_ref for w in wishes}
    taken = Counter(f.place_id for ref, f in pool.fixed.items()
                    if f.binds_at(at) and ref not in held and ref not in named)
    places = tuple(_less(p, taken.get(p.place_id, 0)) for p in narrowed.places)
    fixed = {k: v for k, v in narrowed.fixed.items() if k in held}
    fixed.update({k: v for k, v in base.fixed.items() if k in named and v.withdrawn})  # for PLACE_WITHDRAWN
    return Pool(narrowed.region_id, narrowed.period_id, narrowed.sector, wishes, places, dict(sorted(fixed.items())),
                {k: v for k, v in narrowed.exclusions.items() if k in refs})


def _less(place: Place, taken: int) -> Place:
    """The place with `taken` slots already held (by binding placements outside the pool)."""
    if taken <= 0:
        return place
    slots = max(0, place.slots - taken)
    capacity = max(0, place.supervision_capacity - taken)
    room, reserved = min(slots, capacity), []
    for r in place.reserved:  # reservations trimmed to what is left, in the order the place lists them
        keep = min(r.slots, room)
        room -= keep
        if keep > 0:
            reserved.append(replace(r, slots=keep))
    return replace(place, slots=slots, supervision_capacity=capacity, reserved=reserved)


def compute_fast_track(pool: Pool, student_refs: Iterable[str], seed: int, solver: "RoundSolver",
                       code_version: str, at: str | None) -> RoundResult:
    """Solve the fast-track pool and keep the named students' outcomes (RoundError when none still seeks)."""
    named = set(student_refs)
    narrowed = fast_track_pool(pool, named, at)
    if not any(w.student_ref in named for w in narrowed.wishes):
        raise RoundError("none of the fast-track students seeks a place in this period any more")
    full = compute_round(narrowed, seed, solver, code_version, at=at)
    outcomes = tuple(o for o in full.outcomes if o.student_ref in named)
    check_free_capacity(pool, outcomes, at)
    kept = len(full.outcomes) - len(outcomes)
    sector_of = {w.student_ref: w.sector for w in narrowed.wishes}
    ceiling = None if full.summary.max_placeable is None else full.summary.max_placeable - kept
    summary = replace(summarise(outcomes, sector_of), max_placeable=ceiling, fair_bound=None,
                      support_placeable=None)
    return RoundResult(outcomes, summary, replace(full.manifest, output_hash=output_hash(outcomes)),
                       tuple(sorted({o.school_id for o in outcomes})),
                       tuple(sorted({o.school_id for o in outcomes if o.support_needs})))


def check_free_capacity(pool: Pool, outcomes: Iterable[Outcome], at: str | None) -> None:
    """Refuse a fast-track result that puts more students at a place than its slots leave free next to every
    placement that binds at `at` (across the whole period, whoever holds it)."""
    moved = [o for o in outcomes if o.status in HOLDING]
    fixed = {ref: f for ref, f in pool.fixed.items() if f.binds_at(at)}
    use = Counter(f.place_id for ref, f in fixed.items() if ref not in {o.student_ref for o in moved})
    use.update(o.place_id for o in moved)
    capacity = {p.place_id: min(p.slots, p.supervision_capacity) for p in pool.places}
    over = sorted(pid for pid, n in use.items() if pid in capacity and n > capacity[pid]
                  and any(o.place_id == pid for o in moved))
    if over:
        raise RoundError(f"the fast track would use more than the free capacity of {', '.join(over)}")
