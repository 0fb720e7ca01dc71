"""Signals for coordinators: per organisation, refusals after the introduction talk, desk reports and students
who said in their end evaluation that they experienced discrimination there (at the kennismaking or during the
placement; issue 20.5, domain/evaluations.py).

Shown in aggregate only (counts through the small-cell rule); an organisation is escalated when the sum of
the three passes the configured threshold. Imports the standard library and domain.suppression only.
"""

from __future__ import annotations

from dataclasses import dataclass

from .suppression import shown_count

#: The signal kind of students who said in their end evaluation they experienced discrimination at the organisation.
EVALUATION_KIND = "evaluation_discrimination"


@dataclass(frozen=True)
class OrganisationSignal:
    """The counts behind one organisation's signal."""

    organisation_id: str
    rejections_after_introduction: int
    desk_reports: int
    discrimination_in_evaluations: int = 0

    @property
    def total(self) -> int:
        return self.rejections_after_introduction + self.desk_reports + self.discrimination_in_evaluations

    def escalated(self, threshold: int) -> bool:
        """Escalated when the signals reach the threshold."""
        return self.total >= threshold

    def public(self, threshold: int) -> dict[str, object]:
        """What leaves the service: the organisation, suppressed counts and the flag."""
        return {
            "organisation_id": self.organisation_id,
            "rejections_after_introduction": shown_count(self.rejections_after_introduction),
            "desk_reports": shown_count(self.desk_reports),
            "discrimination_in_evaluations": shown_count(self.discrimination_in_evaluations),
            "escalated": self.escalated(threshold),
        }


def organisation_signals(counts: dict[str, dict[str, int]]) -> list[OrganisationSignal]:
    """Signals from {organisation_id: {"rejected_after_introduction": n, "desk_reports": m,
    "evaluation_discrimination": k}}, highest first."""
    signals = [OrganisationSignal(org, values.get("rejected_after_introduction", 0), values.get("desk_reports", 0),
                                  values.get(EVALUATION_KIND, 0))
               for org, values in counts.items()]
    return sorted(signals, key=lambda s: (-s.total, s.organisation_id))


def escalated(signals: list[OrganisationSignal], threshold: int) -> list[OrganisationSignal]:
    return [signal for signal in signals if signal.escalated(threshold)]
