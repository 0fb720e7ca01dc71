"""Placement follow-up: contact moments (at least three, at least one on site), the end evaluation, and the
reasons a match may be flagged as not suitable. Imports the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

CONTACT_KINDS = ("on_site", "school", "online", "phone")
NOT_SUITABLE_REASONS = ("not_suitable", "rejected_after_introduction", "organisation_withdrew", "safety", "other")
EVALUATORS = ("student", "organisation")
MIN_CONTACTS = 3
MIN_ON_SITE = 1


@dataclass(frozen=True)
class ContactMoment:
    """One contact between student, school and organisation during the internship: held, or planned (R132
    counts both; a planned one whose day passed unheld is a missed one, domain/contact_plan.py)."""

    date: str
    kind: str
    registered_by: str
    signal: bool = False
    held: bool = True
    place_id: str = ""  # the place of the placement it was held at ("" when recorded before this was kept)


@dataclass(frozen=True)
class ContactStatus:
    """How a placement stands against the contact-moment rule."""

    student_ref: str
    school_id: str
    contacts: int
    on_site: int
    exception: bool

    @property
    def compliant(self) -> bool:
        """At least three contacts and one on site, unless an exception (e.g. abroad) is documented."""
        if self.exception:
            return self.contacts >= MIN_CONTACTS
        return self.contacts >= MIN_CONTACTS and self.on_site >= MIN_ON_SITE

    @property
    def missing(self) -> list[str]:
        """What is still missing, as codes: contacts:N (N more contacts), on_site."""
        out = []
        if self.contacts < MIN_CONTACTS:
            out.append(f"contacts:{MIN_CONTACTS - self.contacts}")
        if not self.exception and self.on_site < MIN_ON_SITE:
            out.append("on_site")
        return out


def at_place(moments: list[ContactMoment], place_id: str | None) -> list[ContactMoment]:
    """The moments of the placement at `place_id`: a re-placed student's moments at the place they lost do
    not count for the new one (a moment without a place was recorded before places were kept, and counts)."""
    return [m for m in moments if not m.place_id or not place_id or m.place_id == place_id]


def contact_status(student_ref: str, school_id: str, moments: list[ContactMoment],
                   exception: bool = False, place_id: str | None = None) -> ContactStatus:
    """Count the contact moments of a placement (the one at `place_id`, when given) against the rule."""
    moments = at_place(moments, place_id)
    on_site = sum(1 for moment in moments if moment.kind == "on_site")
    return ContactStatus(student_ref, school_id, len(moments), on_site, exception)


def failure_is_after_introduction(reason_code: str, after_introduction: bool) -> bool:
    """A rejection after the introduction talk is recorded as such, whichever way it was flagged."""
    return after_introduction or reason_code == "rejected_after_introduction"
