"""Seeded synthetic regions for benchmarks, tests and the demo: `generate(n_students, seed, ...) -> RoundInput`.

A Dutch-looking region (Gelderland towns with real coordinates, coarse ~1 km homes), six sectors with
different scarcity (care the scarcest, numbers after domain.md section 5), schools of very different
sizes (one ROC with half the students, smaller ones specialised in a few sectors), 8 % of students with a
support need and 25 % of places offering support, total slots about `scarcity` x students (effective slots
a little fewer: supervision capacity trims some places),
top-3 places for a share of students, a few refusals, desk exclusions and reserved slots.
Vectorised with numpy; 50k students in a few seconds. Imports numpy and matcher.domain.model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.domain.model import Exclusion, Location, Place, Reservation, RoundInput, Wish

REGION = "GLD"
TOWNS = (  # name, lat, lon, population weight, pc4 prefix; ordered outwards from Arnhem-Nijmegen
    ("Arnhem", 51.985, 5.899, 16, "68"), ("Nijmegen", 51.842, 5.853, 18, "65"), ("Elst", 51.919, 5.849, 3, "66"),
    ("Duiven", 51.947, 6.021, 3, "69"), ("Zevenaar", 51.926, 6.071, 4, "69"), ("Wijchen", 51.809, 5.725, 4, "66"),
    ("Wageningen", 51.970, 5.665, 4, "67"), ("Ede", 52.040, 5.665, 12, "67"), ("Doetinchem", 51.965, 6.289, 6, "70"),
    ("Tiel", 51.886, 5.429, 4, "40"), ("Apeldoorn", 52.211, 5.969, 16, "73"), ("Barneveld", 52.140, 5.585, 6, "37"),
    ("Zutphen", 52.138, 6.196, 5, "72"), ("Culemborg", 51.955, 5.227, 3, "41"), ("Harderwijk", 52.342, 5.620, 5, "38"),
    ("Winterswijk", 51.972, 6.720, 3, "71"),
)
LEVEL_SETS = ((2, 3, 4), (2, 3, 4), (3, 4), (1, 2, 3))
SECTORS = {  # demand share, relative supply (care scarce), crebo base, organisation types, irregular shifts, 18+
    "zorg": (0.28, 0.60, 25480, ("ziekenhuis", "vvt", "ghz", "thuiszorg"), 0.7, 0.0),
    "techniek": (0.17, 1.10, 25250, ("installatie", "bouw", "industrie"), 0.1, 0.3),
    "handel": (0.15, 1.25, 25700, ("retail", "groothandel", "e-commerce"), 0.3, 0.0),
    "horeca": (0.13, 1.30, 25160, ("restaurant", "hotel", "catering"), 0.8, 0.0),
    "ict": (0.14, 0.80, 25600, ("software", "overheid-ict", "mkb-ict"), 0.05, 0.0),
    "mobiliteit": (0.13, 1.00, 25380, ("garage", "transport", "logistiek"), 0.3, 0.3),
}
SUPPORT = ("S-TAAL", "S-STRUCTUUR", "S-FYSIEK", "S-BEGELEIDING")
MODES = ("walk", "bike", "public_transport", "car")
MODE_P = (0.05, 0.45, 0.40, 0.10)
MAX_TRAVEL = {"walk": (20, 30), "bike": (30, 45), "public_transport": (45, 60, 75), "car": (30, 45)}


@dataclass(frozen=True)
class Extent:
    """How much of the map and of the programme range a region of this size covers."""

    towns: int
    crebos_per_sector: int

    @classmethod
    def of(cls, n_students: int) -> "Extent":
        """4 towns and 3 crebos per sector for 1k students; 16 towns from 40k, up to 15 crebos per sector."""
        return cls(int(np.clip(np.ceil(n_students / 2500), 4, len(TOWNS))),
                   int(np.clip(round(n_students / 4000) + 2, 3, 15)))


def crebos_of(sector: str, ext: Extent) -> tuple[str, ...]:
    """The sector's programmes (crebos) in a region of this extent."""
    return tuple(f"{SECTORS[sector][2] + j:05d}" for j in range(ext.crebos_per_sector))


def _towns(ext: Extent | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Town coordinates and population shares (towns beyond the extent get weight 0)."""
    lat = np.array([t[1] for t in TOWNS])
    lon = np.array([t[2] for t in TOWNS])
    active = len(TOWNS) if ext is None else ext.towns
    w = np.array([t[3] if i < active else 0 for i, t in enumerate(TOWNS)], dtype=float)
    return lat, lon, w / w.sum()


def _scatter(rng, town: np.ndarray, km: float) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Coarse (~1 km) coordinates around towns and a synthetic pc4 per point."""
    lat0, lon0, _ = _towns()
    lat = np.round(lat0[town] + rng.normal(0, km / 111.0, len(town)), 2)
    lon = np.round(lon0[town] + rng.normal(0, km / 69.0, len(town)), 2)
    cell = (np.abs(np.round((lat - lat0[town]) * 100) * 7 + np.round((lon - lon0[town]) * 70))) % 100
    pc4 = [f"{TOWNS[t][4]}{int(c):02d}" for t, c in zip(town.tolist(), cell.tolist())]
    return lat, lon, pc4


def _schools(rng, n_students: int, ext: Extent) -> tuple[list[str], np.ndarray, list[tuple[str, ...]], np.ndarray]:
    """School ids, size shares (one ROC holds half), offered sectors, home towns."""
    k = int(np.clip(round(n_students / 1000) + 3, 4, 40))
    rest = np.sort(rng.lognormal(0, 0.9, k - 1))[::-1]
    share = np.concatenate([[0.5], 0.5 * rest / rest.sum()])
    names = list(SECTORS)
    demand = np.array([SECTORS[s][0] for s in names])
    offered = [tuple(names)] + [
        tuple(sorted(rng.choice(names, size=rng.integers(2, 5), replace=False, p=demand / demand.sum())))
        for _ in range(k - 1)]
    towns = np.concatenate([[0], rng.choice(len(TOWNS), size=k - 1, p=_towns(ext)[2])])
    return [f"SCH{i + 1:02d}" for i in range(k)], share, offered, towns


def _activities(crebo: str) -> list[str]:
    return [f"{crebo}-A{i}" for i in range(1, 9)]


def _pick(rng, n: int, items: tuple[str, ...], low: int, high: int) -> list[tuple[str, ...]]:
    """Per row a random subset of the sorted `items` of size low..high-1, kept in sorted order."""
    rank = np.argsort(np.argsort(rng.random((n, len(items))), axis=1), axis=1)
    chosen = (rank < rng.integers(low, high, n)[:, None]).tolist()
    return [tuple(item for item, keep in zip(items, row) if keep) for row in chosen]


def _place_records(rng, n_students: int, scarcity: float, period: str, schools: list[str],
                   offered: list[tuple[str, ...]], ext: Extent) -> list[Place]:
    names = list(SECTORS)
    weight = np.array([SECTORS[s][0] * SECTORS[s][1] for s in names])
    n = max(len(names), round(0.375 * n_students))
    sector = rng.choice(len(names), size=n, p=weight / weight.sum())
    slots = np.maximum(1, np.round(rng.lognormal(0, 0.7, n) * scarcity * n_students / n / 1.28)).astype(int)
    lat, lon, pc4 = _scatter(rng, rng.choice(len(TOWNS), size=n, p=_towns(ext)[2]), 3.0)
    org = np.cumsum(rng.random(n) < 0.6)
    u = rng.random((n, 8))
    levels = rng.integers(0, len(LEVEL_SETS), n)
    supervision = np.where(u[:, 0] < 0.85, slots, 1 + (rng.random(n) * slots).astype(int))
    support = _pick(rng, n, SUPPORT, 1, 4)
    act_keys = np.argsort(np.argsort(rng.random((n, 8)), axis=1), axis=1)
    out = []
    for i in range(n):
        name = names[sector[i]]
        _, _, _, types, irregular, adult = SECTORS[name]
        crebos = crebos_of(name, ext)
        chosen = sorted({crebos[int(r * len(crebos))] for r in rng.random(1 + int(u[i, 7] < 0.4))})
        acts = sorted({a for c in chosen for a in np.array(_activities(c))[act_keys[i] < 4].tolist()})
        partners = [schools[k] for k in range(1, len(schools)) if name in offered[k]]
        reserve = (Reservation(partners[i % len(partners)], 1),) if partners and slots[i] >= 3 and u[i, 1] < 0.01 else ()
        out.append(Place(
            place_id=f"P{i:06d}", organisation_id=f"ORG-{name[:3].upper()}-{org[i]:05d}", region_id=REGION,
            period_id=period, sector=name, org_type=types[int(u[i, 2] * len(types))],
            location=Location(pc4[i], float(lat[i]), float(lon[i])), crebos=tuple(chosen),
            levels=LEVEL_SETS[levels[i]], slots=int(slots[i]), activities=tuple(acts),
            support_offered=support[i] if u[i, 3] < 0.25 else (), offers_allowance=bool(u[i, 4] < 0.75),
            irregular_shifts=bool(u[i, 5] < irregular), min_age=18 if u[i, 6] < adult else 16,
            supervision_capacity=int(supervision[i]), reserved=reserve,
        ))
    return out


def _top_places(rng, home: tuple[np.ndarray, np.ndarray], crebo: list[str], places: list[Place], share: float) -> list[tuple[str, ...]]:
    """1-3 ranked places for a share of students: popular (many slots) and near, with noise."""
    plat = np.array([p.location.lat for p in places])
    plon = np.array([p.location.lon for p in places])
    pop = np.log1p(np.array([p.slots for p in places], dtype=float))
    place_ids = [p.place_id for p in places]
    out: list[tuple[str, ...]] = [()] * len(crebo)
    crebo_arr = np.array(crebo)
    wants = rng.random(len(crebo)) < share
    for c in sorted(set(crebo)):
        cand = np.array([i for i, p in enumerate(places) if c in p.crebos], dtype=np.int64)
        rows = np.nonzero(wants & (crebo_arr == c))[0]
        for k in range(0, len(rows) if len(cand) else 0, 512):
            r = rows[k:k + 512]
            km = np.hypot((plat[cand][None, :] - home[0][r][:, None]) * 111.0,
                          (plon[cand][None, :] - home[1][r][:, None]) * 69.0)
            score = pop[cand][None, :] - km / 4.0 + rng.gumbel(0, 1.0, km.shape)
            top = np.argpartition(-score, min(2, len(cand) - 1), axis=1)[:, :3]
            best = np.take_along_axis(top, np.argsort(-np.take_along_axis(score, top, axis=1), axis=1), axis=1)
            size = np.minimum(rng.integers(1, 4, len(r)), len(cand)).tolist()
            ids = [[place_ids[i] for i in row] for row in cand[best].tolist()]
            for j, s in enumerate(r.tolist()):
                out[s] = tuple(ids[j][:size[j]])
    return out


def _homes(rng, school: np.ndarray, school_town: np.ndarray, ext: Extent) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Students live in towns near their school (population x distance decay), ~1 km coarse."""
    lat0, lon0, pop = _towns(ext)
    dist = np.hypot((lat0[:, None] - lat0[None, :]) * 111.0, (lon0[:, None] - lon0[None, :]) * 69.0)
    near = pop[None, :] * np.exp(-dist / 20.0)
    town = np.zeros(len(school), dtype=np.int64)
    for k in np.unique(school):
        rows = school == k
        p = near[school_town[k]]
        town[rows] = rng.choice(len(TOWNS), size=int(rows.sum()), p=p / p.sum())
    return _scatter(rng, town, 2.5)


def generate(n_students: int, seed: int, scarcity: float = 0.8, top3_share: float = 0.5,
             support_share: float = 0.08, exclusion_share: float = 0.005, period: str = "2027-P1") -> RoundInput:
    """A seeded synthetic round of one region and one period (see module docstring)."""
    rng = np.random.default_rng(seed)
    ext = Extent.of(n_students)
    schools, share, offered, school_town = _schools(rng, n_students, ext)
    places = _place_records(rng, n_students, scarcity, period, schools, offered, ext)
    school = rng.choice(len(schools), size=n_students, p=share)
    lat, lon, pc4 = _homes(rng, school, school_town, ext)
    sector = _sectors(rng, school, offered)
    crebo = [crebos_of(x, ext)[int(r * ext.crebos_per_sector)] for x, r in zip(sector, rng.random(n_students))]
    top = _top_places(rng, (lat, lon), crebo, places, top3_share)
    columns = _wish_columns(rng, n_students, sector, crebo, support_share)
    wishes = [Wish(
        student_ref=f"stu-{i:07d}", school_id=schools[school[i]], region_id=REGION, period_id=period,
        sector=sector[i], crebo=crebo[i], top_places=top[i], home=Location(pc4[i], float(lat[i]), float(lon[i])),
        **{k: v[i] for k, v in columns.items()},
    ) for i in range(n_students)]
    return RoundInput(f"{REGION}-{period}-{seed}", REGION, (period,), tuple(wishes), tuple(places), seed,
                      _exclusions(rng, wishes, places, exclusion_share), ())


def _sectors(rng, school: np.ndarray, offered: list[tuple[str, ...]]) -> list[str]:
    """Each student's sector, among the sectors the school offers, by sector demand share."""
    out = [""] * len(school)
    for k in np.unique(school).tolist():
        rows = np.nonzero(school == k)[0]
        p = np.array([SECTORS[s][0] for s in offered[k]])
        for r, j in zip(rows.tolist(), rng.choice(len(offered[k]), size=len(rows), p=p / p.sum()).tolist()):
            out[r] = offered[k][j]
    return out


def _wish_columns(rng, n: int, sector: list[str], crebo: list[str], support_share: float) -> dict[str, list]:
    """Every remaining wish field as a column (vectorised draws)."""
    mode = rng.choice(len(MODES), size=n, p=MODE_P)
    year = rng.choice([1, 2, 3], size=n, p=[0.6, 0.3, 0.1])
    u = rng.random((n, 6))
    support = _pick(rng, n, SUPPORT, 1, 3)
    acts, types = [()] * n, [()] * n
    for values, table, low, high in ((crebo, acts, 2, 5), (sector, types, 1, 3)):
        arr = np.array(values)
        for v in sorted(set(values)):
            rows = np.nonzero(arr == v)[0]
            items = tuple(_activities(v)) if table is acts else SECTORS[v][3]
            for r, picked in zip(rows.tolist(), _pick(rng, len(rows), items, low, high)):
                table[r] = picked
    travel = [MAX_TRAVEL[MODES[m]][int(r * len(MAX_TRAVEL[MODES[m]]))] for m, r in zip(mode.tolist(), u[:, 0])]
    return {
        "level": rng.choice([1, 2, 3, 4], size=n, p=[0.05, 0.25, 0.32, 0.38]).tolist(),
        "study_year": year.tolist(), "pathway": ["bol" if r < 0.9 else "bbl" for r in u[:, 1]],
        "activities": acts,
        "preferred_org_types": [t if r < 0.6 else () for t, r in zip(types, u[:, 2])],
        "max_travel_minutes": travel, "transport_mode": [MODES[m] for m in mode.tolist()],
        "support_needs": [support[i] if r < support_share else () for i, r in enumerate(u[:, 3])],
        "needs_allowance": (u[:, 4] < 0.15).tolist(), "irregular_shifts_ok": (u[:, 5] < 0.75).tolist(),
        "age_at_start": (15 + year + rng.integers(0, 3, n)).tolist(),
    }


def _exclusions(rng, wishes: list[Wish], places: list[Place], share: float) -> tuple[Exclusion, ...]:
    """Refused top places for a share of students, and a few desk exclusions of whole organisations."""
    out = []
    u = rng.random((len(wishes), 2))
    pick = rng.integers(0, len(places), len(wishes))
    for i, w in enumerate(wishes):
        if w.top_places and u[i, 0] < share:
            out.append(Exclusion(w.student_ref, place_id=w.top_places[-1]))
        if u[i, 1] < share / 5:
            out.append(Exclusion(w.student_ref, organisation_id=places[pick[i]].organisation_id))
    return tuple(out)
