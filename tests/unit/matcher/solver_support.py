"""Builders for the matcher solver tests: tiny hand-made rounds and the seeded synthetic generator.

Makes the repository root importable so `bench.generator` (the seeded region generator shared with the
benchmarks and the demo) can be used by tests run through the `pytest` console script.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generator import generate  # noqa: E402
from matcher.domain.model import (  # noqa: E402
    Exclusion, FixedPlacement, Location, Place, Reservation, RoundInput, Wish,
)

HOME = Location("6811", 51.98, 5.90)
__all__ = ["Exclusion", "FixedPlacement", "HOME", "Location", "Reservation", "generate", "place", "round_of", "wish"]


def wish(ref: str, **changes) -> Wish:
    """A level-3 care student living at HOME, eligible for `place()` defaults."""
    base = Wish(
        student_ref=ref, school_id="S1", region_id="R1", period_id="P1", sector="zorg", crebo="25480", level=3,
        study_year=1, pathway="bol", activities=("A1", "A2"), preferred_org_types=(), top_places=(), home=HOME,
        max_travel_minutes=60, transport_mode="bike", support_needs=(), needs_allowance=False,
        irregular_shifts_ok=True, age_at_start=17,
    )
    return replace(base, **changes)


def place(pid: str, **changes) -> Place:
    """A one-slot care place at HOME recognising crebo 25480 at levels 2-4."""
    base = Place(
        place_id=pid, organisation_id=f"O-{pid}", region_id="R1", period_id="P1", sector="zorg", org_type="vvt",
        location=HOME, crebos=("25480",), levels=(2, 3, 4), slots=1, activities=("A1",), support_offered=(),
        offers_allowance=True, irregular_shifts=False, min_age=16, supervision_capacity=5,
    )
    return replace(base, **changes)


def round_of(wishes, places, **changes) -> RoundInput:
    """A round in region R1, period P1, seed 7."""
    base = RoundInput(round_id="T1", region_id="R1", period_ids=("P1",), wishes=tuple(wishes),
                      places=tuple(places), seed=7)
    return replace(base, **changes)


def km_east(km: float) -> Location:
    """A location `km` kilometres east of HOME."""
    return Location("6812", HOME.lat, HOME.lon + km / 68.7)
