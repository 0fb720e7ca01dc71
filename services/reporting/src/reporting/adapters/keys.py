"""Every Redis key reporting owns, spelled once (all under `reporting:`). Imports nothing."""

from __future__ import annotations

PREFIX = "reporting"


class Keys:
    """Key names; `prefix` lets tests keep their keys apart."""

    def __init__(self, prefix: str = PREFIX):
        self.prefix = prefix

    def periods(self) -> str:
        return f"{self.prefix}:periods"

    def period(self, region_id: str, period_id: str, what: str) -> str:
        """wishes | places | placements | rounds | counters | contacts | contact_exceptions | evaluations."""
        return f"{self.prefix}:p:{region_id}:{period_id}:{what}"

    def round(self, round_id: str) -> str:
        return f"{self.prefix}:round:{round_id}"

    def round_parts(self, round_id: str) -> str:
        return f"{self.prefix}:round:{round_id}:released_parts"

    def round_outcomes(self, round_id: str) -> str:
        return f"{self.prefix}:round:{round_id}:released_outcomes"

    def signals(self, region_id: str) -> str:
        return f"{self.prefix}:region:{region_id}:signals"

    def student_periods(self, student_ref: str) -> str:
        return f"{self.prefix}:student:{student_ref}:periods"

    def desk_case(self, report_id: str) -> str:
        return f"{self.prefix}:desk:case:{report_id}"

    def desk_region(self, region_id: str) -> str:
        return f"{self.prefix}:desk:region:{region_id}"

    def desk_audit(self) -> str:
        return f"{self.prefix}:desk:audit"

    def aftercare(self, what: str, *parts: str) -> str:
        """pok | pok_history (per region, period, student: earlier POKs by id) | pok_people | poks (per region) |
        contacts (per region, school) | intro | intros (per region) | tasks (per region, school) | task_schools."""
        return ":".join((self.prefix, "aftercare", what, *parts))
