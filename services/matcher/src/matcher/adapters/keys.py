"""Every Redis key the matcher owns, spelled once (all under `matcher:`, or MATCHER_KEY_PREFIX). Imports nothing."""

from __future__ import annotations

PREFIX = "matcher"


class Keys:
    """Key names; `prefix` lets tests and a second deployment keep their keys apart."""

    def __init__(self, prefix: str = PREFIX):
        self.prefix = prefix

    def period(self, region_id: str, period_id: str) -> str:
        """The period's projections under it: `:wishes`, `:places`, `:fixed`, `:exclusions`, `:variants`."""
        return f"{self.prefix}:region:{region_id}:period:{period_id}"

    def periods(self, region_id: str) -> str:
        return f"{self.prefix}:region:{region_id}:periods"

    def rounds(self, region_id: str) -> str:
        return f"{self.prefix}:region:{region_id}:rounds"

    def round(self, round_id: str) -> str:
        """The round's hash; its outcomes, approvals, objections, audit, offers and frozen input under it."""
        return f"{self.prefix}:round:{round_id}"

    def releases(self) -> str:
        return f"{self.prefix}:releases"

    def fast_track(self, region_id: str, period_id: str) -> str:
        return f"{self.prefix}:fast_track:{region_id}:{period_id}"

    def fast_track_queues(self) -> str:
        return f"{self.prefix}:fast_track:queues"

    def scenario(self, scenario_id: str) -> str:
        return f"{self.prefix}:scenario:{scenario_id}"

    def scenario_queue(self) -> str:
        return f"{self.prefix}:scenario:queue"

    def scenarios(self, region_id: str) -> str:
        return f"{self.prefix}:scenario:region:{region_id}"
