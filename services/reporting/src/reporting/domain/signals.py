"""Signals for coordinators: per organisation, refusals after the introduction talk and desk reports.

Shown in aggregate only (counts through the small-cell rule); an organisation is escalated when the sum of
both passes the configured threshold. Imports the standard library and domain.suppression only.
"""

from __future__ import annotations

from dataclasses import dataclass

from .suppression import shown_count


@dataclass(frozen=True)
class OrganisationSignal:
    """The counts behind one organisation's signal."""

    organisation_id: str
    rejections_after_introduction: int
    desk_reports: int

    @property
    def total(self) -> int:
        return self.rejections_after_introduction + self.desk_reports

    def escalated(self, threshold: int) -> bool:
        """Escalated when the signals reach the threshold."""
        return self.total >= threshold

    def public(self, threshold: int) -> dict[str, object]:
        """What leaves the service: the organisation, suppressed counts and the flag."""
        return {
            "organisation_id": self.organisation_id,
            "rejections_after_introduction": shown_count(self.rejections_after_introduction),
            "desk_reports": shown_count(self.desk_reports),
            "escalated": self.escalated(threshold),
        }


def organisation_signals(counts: dict[str, dict[str, int]]) -> list[OrganisationSignal]:
    """Signals from {organisation_id: {"rejected_after_introduction": n, "desk_reports": m}}, highest first."""
    signals = [OrganisationSignal(org, values.get("rejected_after_introduction", 0), values.get("desk_reports", 0))
               for org, values in counts.items()]
    return sorted(signals, key=lambda s: (-s.total, s.organisation_id))


def escalated(signals: list[OrganisationSignal], threshold: int) -> list[OrganisationSignal]:
    return [signal for signal in signals if signal.escalated(threshold)]
