"""What changed in the pool after a round was computed, that its release would ignore.

A round is computed from its frozen input; a place withdrawn, or a student's wish withdrawn, after that
moment is not in the round. Released as it is, the round would place a student at a place that no longer
exists, or a student who left. The coordinator is refused the release until a new round (or a re-solve)
takes the change in. Pure: imports the shared events and this layer's pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from stagepool_shared.events.rounds import Outcome

from .pool import Pool


@dataclass(frozen=True)
class Stale:
    """The placed outcomes of a round that the current pool no longer holds, as sorted ids."""

    places: tuple[str, ...] = ()     # places withdrawn since the round was computed
    students: tuple[str, ...] = ()   # placed students whose wish left the pool since

    def __bool__(self) -> bool:
        return bool(self.places or self.students)


def stale_placements(outcomes: Iterable[Outcome], now: Pool) -> Stale:
    """The places and students of the placed `outcomes` that the period's current pool `now` lacks."""
    places = {p.place_id for p in now.places}
    students = {w.student_ref for w in now.wishes}
    placed = [o for o in outcomes if o.status == "placed" and o.place_id]
    return Stale(tuple(sorted({o.place_id for o in placed if o.place_id not in places})),
                 tuple(sorted({o.student_ref for o in placed if o.student_ref not in students})))
