"""The generated demo region: schools with their students' wishes and organisations with their places.

Groningen and Drenthe (the postcode areas of intake's PC4 table), one regional period, four schools of very
different sizes (one ROC with half the students, a care college, a technical and a hospitality school),
organisations posting scarce care places (total slots about 80 % of the students, care about 55 %), 8 % of
students with a support need. Every person is fictitious: generated names, e-mail addresses @example.nl,
dates of birth giving an age of 16-20 at the start. Seeded (`random.Random`), so a seed gives the same
region. Files are written in intake's import format (Dutch headers, XLSX or CSV).
Imports the standard library and openpyxl only.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterable, Sequence

from openpyxl import Workbook

from stagepool_shared.eligibility import is_eligible

PC4_CSV = Path(__file__).resolve().parents[1] / "services/intake/src/intake/data/pc4_centroids.csv"
REGION_ID = "GRD"
PERIOD_ID = "2026-najaar"
STARTS_ON, ENDS_ON = date(2026, 9, 1), date(2027, 1, 29)
# sector: (share of students, slots per student, crebos, organisation types, irregular shifts share)
SECTORS: dict[str, tuple[float, float, tuple[str, ...], tuple[str, ...], float]] = {
    "zorg": (0.30, 0.55, ("25480", "25491"), ("ziekenhuis", "vvt", "ghz", "thuiszorg"), 0.6),
    "welzijn": (0.12, 0.80, ("25485", "25486"), ("kinderopvang", "jeugdzorg", "welzijnswerk"), 0.2),
    "techniek": (0.18, 0.95, ("25250", "25255"), ("installatie", "industrie", "bouw"), 0.1),
    "handel": (0.15, 0.95, ("25700", "25701"), ("retail", "groothandel"), 0.3),
    "horeca": (0.12, 0.95, ("25160", "25162"), ("restaurant", "hotel", "catering"), 0.8),
    "ict": (0.13, 0.95, ("25604", "25605"), ("software", "overheid-ict", "mkb-ict"), 0.05),
}
# school id: (name, share of students, sector weights)
SCHOOLS: dict[str, tuple[str, float, dict[str, float]]] = {
    "roc-hunzeland": ("ROC Hunzeland", 0.50, {s: v[0] for s, v in SECTORS.items()}),
    "zorgcollege-veenkolonien": ("Zorgcollege Veenkoloniën", 0.25, {"zorg": 0.75, "welzijn": 0.25}),
    "techniekschool-eemsdelta": ("Techniekschool Eemsdelta", 0.15, {"techniek": 0.6, "ict": 0.4}),
    "vakschool-drenthe": ("Vakschool Drenthe", 0.10, {"horeca": 0.6, "handel": 0.4}),
}
SUPPORT = ("taal", "structuur", "fysiek")
MODES = (("bike", 0.40, (30, 40, 45)), ("public_transport", 0.45, (45, 60, 75)), ("car", 0.15, (30, 45)))
FIRST = ("Daan", "Sem", "Lucas", "Milan", "Levi", "Noah", "Luuk", "Jesse", "Finn", "Bram", "Thijs", "Ruben",
         "Emma", "Julia", "Mila", "Tess", "Sophie", "Zoë", "Sara", "Nora", "Eva", "Lotte", "Fleur", "Anouk",
         "Yara", "Amira", "Mohamed", "Ayoub", "Sanne", "Iris", "Mees", "Jayden", "Lieke", "Rik", "Femke")
LAST = ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos",
        "Vos", "Peters", "Hendriks", "Dijkstra", "Postma", "Hoekstra", "Kuipers", "Veenstra", "Wiersma",
        "Zijlstra", "Huisman", "Boersma", "Kramer", "Oosting", "Schuurman", "Brouwer", "El Amrani", "Yilmaz")
STREETS = ("Hoofdstraat", "Kerkstraat", "Molenweg", "Stationsweg", "Dorpsstraat", "Zuiderdiep", "Parallelweg")


@dataclass(frozen=True)
class Area:
    pc4: str
    place: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Student:
    """One student's import row: the personal part (stays in intake) and the objective criteria."""

    school_id: str
    number: str
    name: str
    email: str
    phone: str
    address: str
    date_of_birth: date
    area: Area
    sector: str
    crebo: str
    level: int
    study_year: int
    pathway: str
    transport: str
    max_travel: int
    needs_allowance: bool
    irregular_ok: bool
    support_needs: tuple[str, ...]


@dataclass
class Place:
    """One place row of an organisation's import file."""

    organisation_id: str
    organisation_name: str
    sector: str
    org_type: str
    area: Area
    address: str
    crebos: tuple[str, ...]
    levels: tuple[int, ...]
    slots: int
    supervision: int
    offers_allowance: bool
    irregular: bool
    min_age: int
    support_offered: tuple[str, ...]
    contact_name: str
    contact_email: str


@dataclass
class School:
    school_id: str
    name: str
    contact_email: str
    students: list[Student] = field(default_factory=list)


@dataclass
class Organisation:
    organisation_id: str
    name: str
    places: list[Place] = field(default_factory=list)


@dataclass
class DemoRegion:
    """Everything the demo imports, before any service has seen it."""

    region_id: str
    period_id: str
    schools: list[School]
    organisations: list[Organisation]

    @property
    def students(self) -> list[Student]:
        return [s for school in self.schools for s in school.students]

    @property
    def places(self) -> list[Place]:
        return [p for org in self.organisations for p in org.places]

    def total_slots(self, sector: str | None = None) -> int:
        return sum(min(p.slots, p.supervision) for p in self.places if sector in (None, p.sector))


def load_areas(path: Path = PC4_CSV) -> list[Area]:
    """The PC4 areas of the region (intake's table)."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    return [Area(r["pc4"], r["place"], float(r["lat"]), float(r["lon"])) for r in csv.DictReader(lines)]


def ascii_slug(text: str, sep: str = ".") -> str:
    """'Zoë El Amrani' -> 'zoe.el.amrani' (for e-mail addresses)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return sep.join(part for part in "".join(c if c.isalnum() else " " for c in plain.lower()).split())


def generate(students: int = 2000, organisations: int | None = None, seed: int = 2026) -> DemoRegion:
    """A demo region of about `students` students and `organisations` organisations (default 15 %)."""
    rng = random.Random(seed)
    areas = load_areas()
    schools = [School(sid, name, f"stagebureau.{ascii_slug(name)}@example.nl")
               for sid, (name, _, _) in SCHOOLS.items()]
    counter = 0
    for school, (_, share, weights) in zip(schools, SCHOOLS.values()):
        for _ in range(max(1, round(students * share))):
            counter += 1
            school.students.append(_student(rng, areas, school.school_id, counter, weights))
    orgs = _organisations(rng, areas, [s for school in schools for s in school.students],
                          organisations or max(12, round(students * 0.15)))
    return DemoRegion(REGION_ID, PERIOD_ID, schools, orgs)


def late_students(area: DemoRegion, count: int = 3, seed: int = 14) -> list[Student]:
    """`count` students of the first (largest) school who sign up after the first round: new numbers."""
    rng, school = random.Random(seed), area.schools[0]
    start = len(area.students) + 900_000
    return [_student(rng, load_areas(), school.school_id, start + i, SCHOOLS[school.school_id][2])
            for i in range(1, count + 1)]


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _student(rng: random.Random, areas: list[Area], school_id: str, n: int, weights: dict[str, float]) -> Student:
    sector = _pick(rng, weights)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    mode, _, limits = rng.choices(MODES, weights=[m[1] for m in MODES])[0]
    age = rng.choices((16, 17, 18, 19, 20), weights=(3, 4, 3, 2, 1))[0]
    born = STARTS_ON - timedelta(days=365 * age + rng.randrange(0, 360))
    area = rng.choice(areas)
    return Student(
        school_id=school_id, number=f"L{n:06d}", name=f"{first} {last}",
        email=f"{ascii_slug(first)}.{ascii_slug(last)}.{n}@example.nl", phone=f"06-{rng.randrange(10**7, 10**8)}",
        address=f"{rng.choice(STREETS)} {rng.randrange(1, 200)}, {area.place}", date_of_birth=born, area=area,
        sector=sector, crebo=rng.choice(SECTORS[sector][2]), level=rng.choices((2, 3, 4), weights=(2, 4, 4))[0],
        study_year=rng.choice((1, 2, 3)), pathway=rng.choices(("bol", "bbl"), weights=(4, 1))[0], transport=mode,
        max_travel=rng.choice(limits), needs_allowance=rng.random() < 0.2, irregular_ok=rng.random() < 0.6,
        support_needs=(rng.choice(SUPPORT),) if rng.random() < 0.08 else ())


def _organisations(rng: random.Random, areas: list[Area], students: list[Student], count: int) -> list[Organisation]:
    """Organisations per sector in proportion to its slots; the sector's slots spread over their places."""
    demand = {s: sum(1 for st in students if st.sector == s) for s in SECTORS}
    slots = {s: max(1, round(demand[s] * SECTORS[s][1])) for s in SECTORS}
    total = sum(slots.values())
    orgs: list[Organisation] = []
    for sector in SECTORS:
        n_orgs = max(1, round(count * slots[sector] / total))
        sector_orgs = [_organisation(rng, areas, sector, len(orgs) + i + 1) for i in range(n_orgs)]
        _spread_slots(rng, [p for o in sector_orgs for p in o.places], slots[sector])
        orgs.extend(sector_orgs)
    for org in orgs:
        org.places = [p for p in org.places if p.slots > 0] or org.places[:1]
    return orgs


def _organisation(rng: random.Random, areas: list[Area], sector: str, n: int) -> Organisation:
    _, _, crebos, types, irregular_share = SECTORS[sector]
    org_type = rng.choice(types)
    area = rng.choice(areas)
    name = f"{org_type.replace('-', ' ').title()} {area.place.split()[0]} {n}"
    org_id = f"org-{n:03d}"
    contact = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    places = []
    for k in range(rng.choice((1, 1, 2))):
        irregular = rng.random() < irregular_share
        places.append(Place(
            organisation_id=org_id, organisation_name=name, sector=sector, org_type=org_type, area=area,
            address=f"{rng.choice(STREETS)} {rng.randrange(1, 300)}, {area.place}",
            crebos=crebos if rng.random() < 0.6 else (crebos[k % len(crebos)],),
            levels=rng.choice(((2, 3), (3, 4), (2, 3, 4), (2, 3, 4))), slots=0, supervision=0,
            offers_allowance=rng.random() < 0.6, irregular=irregular, min_age=18 if irregular and rng.random() < 0.3 else 16,
            support_offered=tuple(s for s in SUPPORT if rng.random() < 0.3), contact_name=contact,
            contact_email=f"stage.{org_id}@example.nl"))
    return Organisation(org_id, name, places)


def _spread_slots(rng: random.Random, places: list[Place], slots: int) -> None:
    """Give `slots` to the places (each at least one while there are enough), by random weights."""
    weights = [rng.uniform(0.5, 3.0) for _ in places]
    shares = [max(0, math.floor(slots * w / sum(weights))) for w in weights]
    for i in rng.sample(range(len(places)), len(places)):
        if sum(shares) >= slots:
            break
        shares[i] += 1
    for i, place in enumerate(places):
        place.slots = shares[i]
        place.supervision = shares[i] + (1 if rng.random() < 0.5 else 0)


WISH_HEADERS = ("leerlingnummer", "naam", "e-mail", "telefoon", "adres", "geboortedatum", "periode", "sector",
                "crebo", "niveau", "leerjaar", "leerweg", "postcode", "max_reistijd_minuten", "vervoer",
                "stagevergoeding_nodig", "onregelmatige_diensten", "ondersteuningsbehoeften", "top3_plaatsen")
PLACE_HEADERS = ("periode", "organisatienaam", "sector", "organisatietype", "postcode", "adres", "crebos", "niveaus",
                 "plaatsen", "begeleidingscapaciteit", "stagevergoeding", "onregelmatige_diensten",
                 "minimumleeftijd", "ondersteuning", "contactpersoon", "contact_email", "startdatum")


def _yes(value: bool) -> str:
    return "ja" if value else "nee"


def wish_rows(students: Iterable[Student], period_id: str, top: dict[str, Sequence[str]] | None = None) -> list[list[str]]:
    """Import rows (strings) of students' wishes; `top` maps student number -> up to 3 place ids."""
    top = top or {}
    return [[s.number, s.name, s.email, s.phone, s.address, s.date_of_birth.isoformat(), period_id, s.sector,
             s.crebo, str(s.level), str(s.study_year), s.pathway, s.area.pc4, str(s.max_travel), s.transport,
             _yes(s.needs_allowance), _yes(s.irregular_ok), "|".join(s.support_needs), "|".join(top.get(s.number, ()))]
            for s in students]


def place_rows(places: Iterable[Place], period_id: str) -> list[list[str]]:
    """Import rows (strings) of an organisation's places."""
    return [[period_id, p.organisation_name, p.sector, p.org_type, p.area.pc4, p.address, "|".join(p.crebos),
             "|".join(map(str, p.levels)), str(p.slots), str(p.supervision), _yes(p.offers_allowance),
             _yes(p.irregular), str(p.min_age), "|".join(p.support_offered), p.contact_name, p.contact_email,
             STARTS_ON.isoformat()] for p in places]


def xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """An XLSX workbook with one sheet: the header row, then the rows (as text)."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append([str(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _eligible(student: Student, place: dict[str, Any]) -> bool:
    """The rule (`stagepool_shared.eligibility`) on the wish intake will publish for this row and a place."""
    born, start = student.date_of_birth, STARTS_ON
    wish = SimpleNamespace(
        crebo=student.crebo, level=student.level, pathway=student.pathway, study_year=student.study_year,
        period_id=place["period_id"], home=SimpleNamespace(lat=student.area.lat, lon=student.area.lon),
        transport_mode=student.transport, max_travel_minutes=student.max_travel, support_needs=student.support_needs,
        needs_allowance=student.needs_allowance, irregular_shifts_ok=student.irregular_ok,
        age_at_start=start.year - born.year - ((start.month, start.day) < (born.month, born.day)))
    return is_eligible(wish, SimpleNamespace(**{**place, "location": SimpleNamespace(**place["location"])}))


def choose_top_places(student: Student, offered: dict[str, dict[str, Any]], rng: random.Random) -> list[str]:
    """Up to three place ids a student might name: near places they are eligible for (intake refuses a top 3
    with any other place, by the matcher's own rule).

    `offered` maps place id -> the place as intake published it (crebos, levels, location)."""
    fitting = [(pid, p) for pid, p in offered.items()
               if student.crebo in p["crebos"] and student.level in p["levels"]]
    fitting.sort(key=lambda item: (item[1]["location"]["lat"] - student.area.lat) ** 2
                 + ((item[1]["location"]["lon"] - student.area.lon) * 0.6) ** 2)
    near = list(itertools.islice((pid for pid, p in fitting if _eligible(student, p)), 6))
    rng.shuffle(near)
    return near[:rng.choice((1, 2, 3))]
