"""Objective 3, fit to wishes: the wish rank a pair honours and its wish cost.

For one (student, place) pair:

    tier     0 top-1 place, 1 top-2, 2 top-3, 3 a preferred organisation type, 4 none of these
    overlap  round(100 * |wanted activities offered| / |wanted activities|), 100 if none wanted
    cost     101 * tier + (100 - overlap)            in [0, 504]

A better tier always beats any activity overlap for the same student (the tier step 101 exceeds the
largest overlap difference 100); the solver minimises the sum of pair costs over placed students.
Imports numpy and the standard library only.
"""

from __future__ import annotations

import numpy as np

from matcher.domain.model import WISH_RANKS, Place, Wish
from matcher.domain.tables import RoundTables

TIER_STEP = 101
MAX_WISH_COST = TIER_STEP * 4 + 100


def wish_tier(wish: Wish, place: Place) -> int:
    """0-2 for the student's top-1..3 place, 3 for a preferred organisation type, 4 otherwise."""
    top = list(wish.top_places[:3])
    if place.place_id in top:
        return top.index(place.place_id)
    return 3 if place.org_type in set(wish.preferred_org_types) else 4


def activity_overlap(wish: Wish, place: Place) -> int:
    """Percentage (0-100) of the student's wanted activities that the place offers."""
    wanted = set(wish.activities)
    if not wanted:
        return 100
    return int(np.rint(100.0 * len(wanted & set(place.activities)) / len(wanted)))


def wish_cost(wish: Wish, place: Place) -> int:
    """The pair's wish cost (lower is a better fit)."""
    return TIER_STEP * wish_tier(wish, place) + (100 - activity_overlap(wish, place))


def wish_rank_name(tier: int) -> str:
    """"top-1", "top-2", "top-3", "preferred_type" or "none"."""
    return WISH_RANKS[int(tier)]


def pair_tiers(rt: RoundTables, s: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Tier of each pair (vectorised `wish_tier`)."""
    st, pt = rt.students, rt.places
    tier = np.full(len(s), 4, dtype=np.int64)
    type_bit = np.left_shift(np.uint64(1), (pt.org_type % 64).astype(np.uint64))  # per place, then per pair
    types = st.pref_types[:, 0][s] if st.pref_types.shape[1] == 1 else st.pref_types[s, pt.org_type[p] // 64]
    tier[(types & type_bit[p]) != 0] = 3
    for r in (2, 1, 0):
        tier[st.top[:, r][s] == p] = r
    return tier


def pair_overlaps(rt: RoundTables, s: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Activity overlap percentage of each pair (vectorised `activity_overlap`)."""
    st, pt = rt.students, rt.places
    words = pt.activities.shape[1]
    place_words, first_word = pt.activities.ravel(), p.astype(np.int64) * words
    common = np.zeros(len(s), dtype=np.int64)
    for word, bit in zip(*st.activity_bits):  # each student's k-th wanted activity, k = 0, 1, ...
        common += (place_words[first_word + word[s]] & bit[s]) != 0
    wanted = st.n_activities[s]
    pct = np.rint(100.0 * common / np.maximum(wanted, 1)).astype(np.int64)
    return np.where(wanted == 0, 100, pct)


def pair_wish_costs(rt: RoundTables, s: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cost, tier, overlap) arrays for pairs."""
    tier, overlap = pair_tiers(rt, s, p), pair_overlaps(rt, s, p)
    return TIER_STEP * tier + (100 - overlap), tier, overlap
