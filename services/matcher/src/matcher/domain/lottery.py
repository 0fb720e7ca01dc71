"""The seeded lottery and the canonical order of a round's records.

Blind matching (domain.md R55-R65) means that a student's outcome may depend only on criteria, never on
the pseudonym or on the order in which records arrived. So:

* a student's *profile* is everything the rule looks at (school, pool, programme, level, home, travel,
  support, allowance, shifts, age, wishes, exclusions, fixed placement) and nothing else (not the
  pseudonym, study year, pathway or postcode text);
* the lottery value of a (student, place) pair is a seeded hash of (profile, place_id), so renaming a
  student or reordering the input does not change it;
* students are put in canonical order by (hash(seed, profile), hash(seed, student_ref)): the second key
  only orders students whose profiles are identical. Such students are interchangeable for the rule, and
  between them the seeded hash of the pseudonym is the lottery.

Imports numpy and the standard library only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

from matcher.domain.model import Exclusion, FixedPlacement, Wish

_MASK64 = (1 << 64) - 1


def stable_hash(seed: int, *parts: object) -> int:
    """A 63-bit hash of `parts` under `seed`, identical on every platform and Python run."""
    text = "\x1f".join([str(seed), *(repr(p) for p in parts)])
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big") >> 1


def profile_key(wish: Wish, excluded_places: Iterable[str], excluded_orgs: Iterable[str], fixed: str | None) -> tuple:
    """The criteria profile of a student: every field the rule reads, in a canonical form."""
    return (
        wish.school_id, wish.region_id, wish.period_id, wish.sector, wish.crebo, wish.level,
        tuple(sorted(set(wish.activities))), tuple(sorted(set(wish.preferred_org_types))),
        tuple(wish.top_places), float(wish.home.lat), float(wish.home.lon), wish.max_travel_minutes,
        wish.transport_mode, tuple(sorted(set(wish.support_needs))), bool(wish.needs_allowance),
        bool(wish.irregular_shifts_ok), wish.age_at_start,
        tuple(sorted(set(excluded_places))), tuple(sorted(set(excluded_orgs))), fixed,
    )


def student_profiles(
    wishes: Iterable[Wish], exclusions: Iterable[Exclusion], fixed: Iterable[FixedPlacement]
) -> dict[str, tuple]:
    """student_ref -> profile key for every wish."""
    ex_places: dict[str, list[str]] = {}
    ex_orgs: dict[str, list[str]] = {}
    for e in exclusions:
        if e.place_id is not None:
            ex_places.setdefault(e.student_ref, []).append(e.place_id)
        if e.organisation_id is not None:
            ex_orgs.setdefault(e.student_ref, []).append(e.organisation_id)
    fixed_of = {f.student_ref: f.place_id for f in fixed}
    return {
        w.student_ref: profile_key(
            w, ex_places.get(w.student_ref, ()), ex_orgs.get(w.student_ref, ()), fixed_of.get(w.student_ref)
        )
        for w in wishes
    }


def profile_hashes(seed: int, profiles: dict[str, tuple]) -> dict[str, int]:
    """student_ref -> seeded hash of the student's profile (the lottery ticket of the profile)."""
    return {ref: stable_hash(seed, "profile", prof) for ref, prof in profiles.items()}


def canonical_student_order(seed: int, hashes: dict[str, int]) -> list[str]:
    """Student refs sorted by (profile hash, hash(seed, ref)): blind to names and input order.

    The pseudonym's hash is only computed, and only matters, for students whose profile hashes are equal.
    """
    counts: dict[int, int] = {}
    for h in hashes.values():
        counts[h] = counts.get(h, 0) + 1
    keyed = [(h, stable_hash(seed, "ref", ref) if counts[h] > 1 else 0, ref) for ref, h in hashes.items()]
    keyed.sort()
    return [ref for _, _, ref in keyed]


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser on uint64 arrays (wrapping arithmetic)."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def pair_lottery(student_hash: np.ndarray, place_hash: np.ndarray, size: int) -> np.ndarray:
    """Lottery values in [0, size) for pairs, from per-student profile hashes and per-place hashes."""
    if size <= 1:
        return np.zeros(np.broadcast(student_hash, place_hash).shape, dtype=np.int64)
    mixed = _splitmix64(student_hash.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) ^ place_hash.astype(np.uint64))
    return (mixed % np.uint64(size)).astype(np.int64)
