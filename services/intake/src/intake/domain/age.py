"""Age at the start of a period: the only trace of a date of birth that may leave intake (R22).

Pure Python; imports nothing from the project.
"""

from __future__ import annotations

from datetime import date

from ..errors import InvalidInput

MIN_AGE = 14
MAX_AGE = 80


def age_on(born: date, day: date) -> int:
    """Whole years between `born` and `day` (a birthday on 29 February counts from 1 March)."""
    before_birthday = (day.month, day.day) < (born.month, born.day)
    return day.year - born.year - (1 if before_birthday else 0)


def age_at_start(born: date, starts_on: date, field: str = "student.date_of_birth") -> int:
    """The age on the period's first day; InvalidInput when it is not a plausible student age."""
    age = age_on(born, starts_on)
    if not MIN_AGE <= age <= MAX_AGE:
        raise InvalidInput({field: [f"The age at the start of the period must be {MIN_AGE} to {MAX_AGE}."]})
    return age
