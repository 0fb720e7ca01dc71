"""Column tables (numpy arrays) of a round's students and places, in canonical order.

Students are ordered by the seeded profile hash (see `lottery`), places by place_id, so everything built
on these tables is independent of input order and of pseudonyms. Set-valued fields (support, activities,
organisation types) become bitsets of uint64 words over a vocabulary.
Imports numpy and the standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from matcher.domain.lottery import canonical_student_order, profile_hashes, stable_hash, student_profiles
from matcher.domain.model import PATHWAYS, Place, RoundInput, Wish
from matcher.domain.travel import mode_index


def vocabulary(values: Iterable[str]) -> dict[str, int]:
    """Sorted vocabulary: value -> index."""
    return {v: i for i, v in enumerate(sorted(set(values)))}


def bitsets(sets: Sequence[Iterable[str]], vocab: dict[str, int]) -> np.ndarray:
    """(n, words) uint64 bitsets of `sets` over `vocab`; unknown values are ignored."""
    words = max(1, (len(vocab) + 63) // 64)
    rows, bits = [], []
    for row, values in enumerate(sets):
        for v in values:
            i = vocab.get(v)
            if i is not None:
                rows.append(row)
                bits.append(i)
    out = np.zeros((len(sets), words), dtype=np.uint64)
    if rows:
        bit = np.array(bits, dtype=np.uint64)
        np.bitwise_or.at(out, (np.array(rows), (bit // np.uint64(64)).astype(np.int64)), np.uint64(1) << (bit % np.uint64(64)))
    return out


def index_matrix(sets: Sequence[Iterable[str]], vocab: dict[str, int]) -> np.ndarray:
    """(n, k) distinct vocabulary indices per row, padded with -1 (k = the largest set)."""
    rows = [sorted({vocab[v] for v in values if v in vocab}) for values in sets]
    out = np.full((len(rows), max((len(r) for r in rows), default=0) or 1), -1, dtype=np.int64)
    for i, r in enumerate(rows):
        out[i, :len(r)] = r
    return out


def pathway_index(pathway: str) -> int:
    """The index of a leerweg in PATHWAYS (an unknown one gets a bit no place takes explicitly)."""
    return PATHWAYS.index(pathway) if pathway in PATHWAYS else len(PATHWAYS)


def bits_or_all(indices: Iterable[int]) -> int:
    """A bitmask of `indices`; every bit (-1) when there are none: a place naming none takes them all."""
    mask = sum(1 << i for i in set(indices))
    return mask or -1


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """(n, 3) unit vectors on the sphere, for fast great-circle prefilters (dot product = cos angle)."""
    phi, lam = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)], axis=1)


@dataclass(frozen=True)
class StudentTable:
    """Students in canonical order; index i everywhere means `refs[i]`."""

    refs: tuple[str, ...]
    wishes: tuple[Wish, ...]
    group: np.ndarray          # index into RoundTables.groups: (school, region, period, sector)
    period: np.ndarray
    sector: np.ndarray
    crebo: np.ndarray
    level: np.ndarray
    pathway: np.ndarray        # index of the leerweg in PATHWAYS
    study_year: np.ndarray
    age: np.ndarray
    max_travel: np.ndarray
    mode: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    xyz: np.ndarray
    support: np.ndarray        # (n, words) bitset of needs
    allowance: np.ndarray      # needs an allowance
    irregular_ok: np.ndarray
    activities: np.ndarray     # (n, k) vocabulary indices of the wanted activities, -1 padded
    n_activities: np.ndarray
    pref_types: np.ndarray     # (n, words) bitset over organisation types
    top: np.ndarray            # (n, 3) place index of top-1..3, -1 if none
    fixed: np.ndarray          # place index of a fixed placement, -1 if none
    profile_hash: np.ndarray   # uint64, for the pair lottery

    @property
    def n(self) -> int:
        return len(self.refs)

    @cached_property
    def activity_bits(self) -> tuple[np.ndarray, np.ndarray]:
        """(word, bit): per slot k of the wanted activities (rows) and student (columns), the activity's word in
        the places' activity bitsets and its bit there (0 for padding). Row-wise, so that per-pair gathers read
        contiguous columns (`preferences.pair_overlaps`)."""
        wanted = self.activities.T >= 0
        index = np.where(wanted, self.activities.T, 0)
        bit = np.left_shift(np.uint64(1), (index % 64).astype(np.uint64))
        return np.ascontiguousarray(index // 64), np.where(wanted, bit, np.uint64(0))


@dataclass(frozen=True)
class PlaceTable:
    """Places sorted by place_id."""

    ids: tuple[str, ...]
    places: tuple[Place, ...]
    organisation: np.ndarray
    period: np.ndarray
    sector: np.ndarray
    org_type: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    xyz: np.ndarray
    levels: np.ndarray         # bit l set when level l is offered
    pathways: np.ndarray       # bit i set when PATHWAYS[i] is taken (all bits when the place names none)
    study_years: np.ndarray    # bit y set when study year y is taken (all bits when the place names none)
    crebos: np.ndarray         # (n, n_crebos) bool: programme recognised
    capacity: np.ndarray       # effective slots min(slots, supervision_capacity)
    support: np.ndarray        # (n, words) bitset offered
    allowance: np.ndarray
    irregular: np.ndarray
    min_age: np.ndarray
    activities: np.ndarray
    place_hash: np.ndarray     # uint64, for the pair lottery

    @property
    def n(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class RoundTables:
    """Both tables plus the vocabularies, groups and resolved exclusions of one round."""

    round: RoundInput
    students: StudentTable
    places: PlaceTable
    periods: tuple[str, ...]
    crebos: dict[str, int]
    groups: tuple[tuple[str, str, str, str], ...]   # (school_id, region_id, period_id, sector)
    place_index: dict[str, int]
    student_index: dict[str, int]
    excluded_keys: np.ndarray  # sorted int64 keys s * n_places + p of excluded pairs


def _student_table(
    rnd: RoundInput, order: list[str], hashes: dict[str, int], v: dict, place_index: dict[str, int]
) -> tuple[StudentTable, tuple]:
    by_ref = {w.student_ref: w for w in rnd.wishes}
    wishes = tuple(by_ref[r] for r in order)
    group_keys = sorted({(w.school_id, *w.pool) for w in wishes})
    group_of = {g: i for i, g in enumerate(group_keys)}
    fixed_of = {f.student_ref: place_index.get(f.place_id, -1) for f in rnd.fixed}
    top = np.full((len(wishes), 3), -1, dtype=np.int64)
    rows = []
    for i, w in enumerate(wishes):
        for r, pid in enumerate(w.top_places[:3]):
            top[i, r] = place_index.get(pid, -1)
        rows.append((
            group_of[(w.school_id, *w.pool)], v["period"].get(w.period_id, -1), v["sector"][w.sector],
            v["crebo"][w.crebo], w.level, w.age_at_start, w.max_travel_minutes, mode_index(w.transport_mode),
            w.home.lat, w.home.lon, w.needs_allowance, w.irregular_shifts_ok, len(set(w.activities)),
            fixed_of.get(w.student_ref, -1), pathway_index(w.pathway), min(max(w.study_year, 0), 62),
        ))
    cols = list(zip(*rows)) if rows else [()] * 16
    ints = [np.array(c, dtype=np.int64) for c in cols[:8]]
    lat, lon = np.array(cols[8], dtype=float), np.array(cols[9], dtype=float)
    table = StudentTable(
        refs=tuple(order), wishes=wishes, group=ints[0], period=ints[1], sector=ints[2], crebo=ints[3],
        level=ints[4], age=ints[5], max_travel=ints[6], mode=ints[7], lat=lat, lon=lon, xyz=unit_vectors(lat, lon),
        support=bitsets([w.support_needs for w in wishes], v["support"]),
        allowance=np.array(cols[10], dtype=bool), irregular_ok=np.array(cols[11], dtype=bool),
        activities=index_matrix([w.activities for w in wishes], v["activity"]),
        n_activities=np.array(cols[12], dtype=np.int64),
        pref_types=bitsets([w.preferred_org_types for w in wishes], v["org_type"]),
        top=top, fixed=np.array(cols[13], dtype=np.int64),
        pathway=np.array(cols[14], dtype=np.int64), study_year=np.array(cols[15], dtype=np.int64),
        profile_hash=np.array([hashes[r] for r in order], dtype=np.uint64),
    )
    return table, tuple(group_keys)


def _place_table(rnd: RoundInput, places: tuple[Place, ...], v: dict) -> PlaceTable:
    arr = lambda f, dt=np.int64: np.array([f(p) for p in places], dtype=dt)  # noqa: E731
    crebos = np.zeros((len(places), max(1, len(v["crebo"]))), dtype=bool)
    for i, p in enumerate(places):
        for c in p.crebos:
            crebos[i, v["crebo"][c]] = True
    lat, lon = arr(lambda p: p.location.lat, float), arr(lambda p: p.location.lon, float)
    return PlaceTable(
        ids=tuple(p.place_id for p in places), places=places,
        organisation=arr(lambda p: v["organisation"][p.organisation_id]),
        period=arr(lambda p: v["period"].get(p.period_id, -1)),
        sector=arr(lambda p: v["sector"][p.sector]),
        org_type=arr(lambda p: v["org_type"][p.org_type]),
        lat=lat, lon=lon, xyz=unit_vectors(lat, lon),
        levels=arr(lambda p: sum(1 << lv for lv in set(p.levels) if 0 <= lv < 62)),
        pathways=arr(lambda p: bits_or_all(pathway_index(x) for x in p.pathways)),
        study_years=arr(lambda p: bits_or_all(y for y in p.study_years if 0 <= y < 62)),
        crebos=crebos, capacity=arr(lambda p: p.effective_slots),
        support=bitsets([p.support_offered for p in places], v["support"]),
        allowance=arr(lambda p: p.offers_allowance, bool), irregular=arr(lambda p: p.irregular_shifts, bool),
        min_age=arr(lambda p: p.min_age), activities=bitsets([p.activities for p in places], v["activity"]),
        place_hash=np.array([stable_hash(rnd.seed, "place", p.place_id) for p in places], dtype=np.uint64),
    )


def _vocabularies(rnd: RoundInput) -> dict[str, dict[str, int]]:
    ws, ps = rnd.wishes, rnd.places
    return {
        "period": {p: i for i, p in enumerate(sorted(set(rnd.period_ids)))},
        "sector": vocabulary([w.sector for w in ws] + [p.sector for p in ps]),
        "crebo": vocabulary([w.crebo for w in ws] + [c for p in ps for c in p.crebos]),
        "support": vocabulary([s for w in ws for s in w.support_needs] + [s for p in ps for s in p.support_offered]),
        "activity": vocabulary([a for w in ws for a in w.activities] + [a for p in ps for a in p.activities]),
        "org_type": vocabulary([p.org_type for p in ps] + [t for w in ws for t in w.preferred_org_types]),
        "organisation": vocabulary([p.organisation_id for p in ps]),
    }


def _excluded_keys(rnd: RoundInput, student_index: dict[str, int], places: tuple[Place, ...]) -> np.ndarray:
    by_org: dict[str, list[int]] = {}
    place_index = {p.place_id: i for i, p in enumerate(places)}
    for i, p in enumerate(places):
        by_org.setdefault(p.organisation_id, []).append(i)
    keys = set()
    for e in rnd.exclusions:
        s = student_index.get(e.student_ref)
        if s is None:
            continue
        targets = [place_index[e.place_id]] if e.place_id in place_index else []
        targets += by_org.get(e.organisation_id, []) if e.organisation_id is not None else []
        keys.update(s * len(places) + p for p in targets)
    return np.array(sorted(keys), dtype=np.int64)


def build_tables(rnd: RoundInput) -> RoundTables:
    """Column tables of a (consistent) round in canonical order."""
    places = tuple(sorted(rnd.places, key=lambda p: p.place_id))
    place_index = {p.place_id: i for i, p in enumerate(places)}
    hashes = profile_hashes(rnd.seed, student_profiles(rnd.wishes, rnd.exclusions, rnd.fixed))
    order = canonical_student_order(rnd.seed, hashes)
    v = _vocabularies(rnd)
    students, groups = _student_table(rnd, order, hashes, v, place_index)
    student_index = {r: i for i, r in enumerate(order)}
    return RoundTables(
        round=rnd, students=students, places=_place_table(rnd, places, v),
        periods=tuple(sorted(set(rnd.period_ids))), crebos=v["crebo"], groups=groups,
        place_index=place_index, student_index=student_index,
        excluded_keys=_excluded_keys(rnd, student_index, places),
    )
