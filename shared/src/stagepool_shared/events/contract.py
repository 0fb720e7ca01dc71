"""The wish and the place: every field, declared once, with its rule (see `rules`).

These dataclasses are the payloads of the wish and place events, and the one definition everything else
about a wish or a place is derived from: the event schemas (events.wishes, events.places), intake's input
schemas and builders, and the matcher's records, consistency check, instance codec and
docs/instance.schema.json. To add an objective criterion, add one line here; the matcher reads every
field with a solver rule (`rules.solver_fields`). The solver's bounds are looser than the wire's on
purpose: the solver takes any round a test, a bench or an offline file brings (codes like "S-TAAL", travel
up to 240 minutes) and checks only what its algorithms rely on.

The explanation's `Hint` is declared here too: the round events carry it, and the notifier's domain keeps it
as it is (the matcher's solver writes it; no solver rule reads it).

Only objective criteria travel: no name, contact detail, date of birth or free text of a student, and no
contact person of a place.
Imports the standard library and `rules` only: the matcher's pure domain imports it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .rules import (
    ANY, CODE_PATTERN, Bounds, choice, code, codes, decimal, flag, ident, listing, record, string, text, whole,
    within,
)

SECTORS = ("zorg", "welzijn", "techniek", "handel", "horeca", "ict", "mobiliteit", "bouw", "economie", "groen")
TRANSPORT_MODES = ("walk", "bike", "public_transport", "car")
PATHWAYS = ("bol", "bbl")
CREBO = r"^[0-9]{5}$"
PC4 = r"^[1-9][0-9]{3}$"
DATE = r"^\d{4}-\d{2}-\d{2}$"
#: Who supervises the student at the place: a role, never a person (issue 15.1).
SUPERVISOR_ROLES = ("practice_trainer", "work_supervisor", "manager", "specialist")
#: Company size classes: micro 1-9, small 10-49, medium 50-249, large 250 or more employees.
COMPANY_SIZES = ("unknown", "micro", "small", "medium", "large")
#: What makes the place accessible.
ACCESSIBILITY = ("wheelchair", "lift", "adapted_toilet", "quiet_workplace", "public_transport_nearby")


@dataclass(frozen=True)
class Location:
    """A coarse location: a 4-digit postcode area and its centroid (about 1 km), never an address."""

    pc4: str = code(PC4, solver=Bounds(pattern=r"^[0-9]{4}$"))
    lat: float = decimal(50.5, 53.7, solver=within(-90, 90))
    lon: float = decimal(3.2, 7.3, solver=within(-180, 180))


@dataclass(frozen=True)
class Wish:
    """A student's learning wish for one period: objective criteria only."""

    student_ref: str = ident(solver=Bounds(size=(1, None)), doc="pseudonym")
    school_id: str = ident()
    region_id: str = ident()
    period_id: str = ident()
    sector: str = choice(SECTORS, solver=ANY, doc="e.g. zorg, techniek, handel, horeca, ict, mobiliteit")
    crebo: str = code(CREBO)
    level: int = whole(1, 4)
    study_year: int = whole(1, 4, solver=within(0))
    pathway: str = choice(PATHWAYS)
    home: Location = record(Location)
    max_travel_minutes: int = whole(5, 180, solver=within(0, 240))
    transport_mode: str = choice(TRANSPORT_MODES)
    age_at_start: int = whole(14, 80, solver=within(0, 120))
    needs_allowance: bool = flag()
    irregular_shifts_ok: bool = flag()
    activities: list[str] = codes(30, doc="activity codes from the qualification file (leerwens)")
    preferred_org_types: list[str] = codes(5)
    top_places: list[str] = listing(ident(), size=(None, 3), default=list,
                                    solver=Bounds(size=(None, 3), unique=True), doc="ranked place_ids, best first")
    candidate_choice: list[str] = listing(ident(), size=(None, 3), default=list, solver=None,
                                          doc="variant 2: the candidates offered that the student chose, ranked "
                                              "(set only by the student's choice; empty: no choice made)")
    support_needs: list[str] = codes(20)


@dataclass(frozen=True)
class Reservation:
    """Slots of a place reserved for one school by a bilateral agreement."""

    school_id: str = ident()
    slots: int = whole(1, 500, solver=within(0))


@dataclass(frozen=True)
class Place:
    """Internship places of one organisation location, for one period: the objective offer, and the
    name, address and start date shown to the student after release, and the objective profile the student's
    catalogue shows (activities, competences, supervision, size, allowance, work pattern, accessibility,
    town; the solver reads none of those but `activities`). No photo, logo or name of a person.

    The place's contact person (name, e-mail, phone) is personal data: it stays in intake, which gives it
    only to the notifier and only after release (issue 19.4), like a student's contact data."""

    place_id: str = ident(solver=Bounds(size=(1, None)))
    organisation_id: str = ident()
    organisation_name: str = text(160)
    region_id: str = ident()
    period_id: str = ident()
    sector: str = choice(SECTORS, solver=ANY)
    org_type: str = code(CODE_PATTERN, solver=ANY)
    location: Location = record(Location)
    address: str = text(200)
    crebos: list[str] = listing(code(CREBO), size=(1, 50))
    levels: list[int] = listing(whole(1, 4), size=(1, 4))
    slots: int = whole(0, 500, solver=within(0))
    supervision_capacity: int = whole(0, 500, solver=within(0),
                                      doc="effective slots = min(slots, supervision_capacity)")
    offers_allowance: bool = flag()
    irregular_shifts: bool = flag()
    min_age: int = whole(14, 21, default=16, solver=within(0))
    activities: list[str] = codes(30)
    support_offered: list[str] = codes(20)
    pathways: list[str] = listing(choice(PATHWAYS), size=(None, 2), default=list,
                                  doc="leerwegen taken (bol, bbl); empty = both")
    study_years: list[int] = listing(whole(1, 4), size=(None, 4), default=list, solver=Bounds(size=(None, 4)),
                                     doc="study years taken; empty = every year")
    reserved: list[Reservation] = listing(record(Reservation), size=(None, 20), default=list)
    start_date: str | None = code(DATE, default=None, solver=None)
    # The objective place profile the student's catalogue shows (issue 15.1); the matcher reads none of it.
    competences: list[str] = codes(30, solver=None, doc="competence codes of the qualification learned here")
    keuzedelen: list[str] = codes(20, solver=None, doc="keuzedeel codes that can be followed here, e.g. k0080")
    supervisor_role: str = choice(SUPERVISOR_ROLES, default="work_supervisor", solver=None)
    supervision_hours: int = whole(0, 40, default=0, solver=None, doc="hours of supervision a week")
    company_size: str = choice(COMPANY_SIZES, default="unknown", solver=None)
    allowance_per_month: int = whole(0, 2000, default=0, solver=None, doc="euro a month; 0 = none")
    early_shifts: bool = flag(solver=None)
    evening_shifts: bool = flag(solver=None)
    weekend_shifts: bool = flag(solver=None)
    accessibility: list[str] = listing(choice(ACCESSIBILITY), size=(None, len(ACCESSIBILITY)), default=list,
                                       solver=None)
    town: str = text(80, default="")


@dataclass(frozen=True)
class Hint:
    """A change that would have helped an unplaced student, e.g. 15 more minutes opens 4 places (2 with a free
    slot). `opens_places` counts every place that would become eligible; `free_places` (optional, added in
    issue 17; None in outcomes from before it) how many of them have a free slot in this round. With
    free_places == 0 the change may not be enough to be placed."""

    criterion: str = string(size=(1, 40))
    change: float = decimal(None, None)
    unit: str = string(size=(0, 20))
    opens_places: int = whole(0, None)
    free_places: int | None = whole(0, None, default=None)
