"""The words of a place's objective profile (issue 15.1) in Dutch and English: the organisation's form and
the student's catalogue show the same labels. Imports the shared contract and page layer only.
"""

from __future__ import annotations

from typing import Any

from stagepool_shared.events.contract import ACCESSIBILITY, COMPANY_SIZES, SUPERVISOR_ROLES
from stagepool_shared.web.pages import t

SUPERVISOR_WORDS = {
    "practice_trainer": ("Praktijkopleider", "Practice trainer"),
    "work_supervisor": ("Werkbegeleider", "Work supervisor"),
    "manager": ("Leidinggevende", "Manager"),
    "specialist": ("Vakspecialist", "Specialist"),
}
SIZE_WORDS = {
    "unknown": ("Onbekend", "Unknown"),
    "micro": ("1 tot 10 medewerkers", "1 to 10 employees"),
    "small": ("10 tot 50 medewerkers", "10 to 50 employees"),
    "medium": ("50 tot 250 medewerkers", "50 to 250 employees"),
    "large": ("250 of meer medewerkers", "250 or more employees"),
}
ACCESSIBILITY_WORDS = {
    "wheelchair": ("Rolstoeltoegankelijk", "Wheelchair accessible"),
    "lift": ("Lift", "Lift"),
    "adapted_toilet": ("Aangepast toilet", "Adapted toilet"),
    "quiet_workplace": ("Rustige werkplek", "Quiet workplace"),
    "public_transport_nearby": ("Ov-halte dichtbij", "Public transport stop nearby"),
}
PATTERN_WORDS = {
    "early_shifts": ("Vroege diensten", "Early shifts"),
    "evening_shifts": ("Avonddiensten", "Evening shifts"),
    "weekend_shifts": ("Weekenddiensten", "Weekend shifts"),
    "irregular_shifts": ("Onregelmatige diensten", "Irregular shifts"),
}


def word(table: dict[str, tuple[str, str]], code: str) -> str:
    """The label of a code in the page's language (the code itself when unknown)."""
    return t(*table[code]) if code in table else code


def profile_choices() -> dict[str, list[tuple[Any, str]]]:
    """Options of the profile's selects, for the organisation's place form."""
    return {"supervisors": [(c, word(SUPERVISOR_WORDS, c)) for c in SUPERVISOR_ROLES],
            "sizes": [(c, word(SIZE_WORDS, c)) for c in COMPANY_SIZES]}


def accessibility_hint() -> str:
    """The codes an organisation may type for accessibility, with their meaning."""
    return ", ".join(f"{c} ({word(ACCESSIBILITY_WORDS, c)})" for c in ACCESSIBILITY)


def work_pattern(payload: dict[str, Any]) -> list[str]:
    """The work pattern of a place, one label per kind of shift it has."""
    return [word(PATTERN_WORDS, name) for name in PATTERN_WORDS if payload.get(name)]
