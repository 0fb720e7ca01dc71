"""Justified envy of an allocation under a policy's priorities.

A pair (student s, student t) counts when s wanted a seat group more than the one s got (or s got none),
t holds a seat at that group, and the group ranks s above t under the policy's priority (its key: reserved
seats rank their school's students first, then the policy's order). A student with a binding placement
neither envies nor is envied (that seat was never open). Counted with sorting and binary search, never per
pair in Python. Imports numpy and this package.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .market import Market
from .policies import BaseKey


@dataclass(frozen=True)
class Envy:
    """Pairs (student, student holding a seat the first wanted and ranks below it), and envious students."""

    pairs: int
    students: int


def justified_envy(market: Market, seat: np.ndarray, base: BaseKey, skip_foreign: bool = False) -> Envy:
    """Justified envy of `seat` (seat group per student, -1 none) under the priority `base` (plus the
    reserved-seat precedence). `skip_foreign`: the policy never offers other schools' reserved seats."""
    pos = market.positions(seat)
    occupant = np.nonzero(pos < market.starts[1:])[0]
    if occupant.size == 0:
        return Envy(0, 0)
    occ_q = market.pref_seat[pos[occupant]]
    occ_k = market.keys(occupant, occ_q, base(occupant, occ_q))
    entries = np.arange(len(market.pref_seat))
    wanted = entries < pos[market.entry_student]
    if skip_foreign:
        wanted &= ~market.foreign
    cand = np.nonzero(wanted)[0]
    c_s, c_q = market.entry_student[cand], market.pref_seat[cand]
    c_k = market.keys(c_s, c_q, base(c_s, c_q))
    levels, inverse = np.unique(np.concatenate([occ_k, c_k]), return_inverse=True)
    scale = np.int64(len(levels) + 1)
    occ_code = np.sort(occ_q * scale + inverse[:len(occ_k)])
    c_code = c_q * scale + inverse[len(occ_k):]
    below = np.searchsorted(occ_code, (c_q + 1) * scale) - np.searchsorted(occ_code, c_code, side="right")
    return Envy(int(below.sum()), int(np.unique(c_s[below > 0]).size))


def blocking_pairs(market: Market, seat: np.ndarray, base: BaseKey) -> int:
    """Justified envy plus wasted wishes: entries where a student wanted a seat group with a slot left
    over. Zero means the allocation is stable under the priority (what deferred acceptance guarantees)."""
    pos = market.positions(seat)
    used = np.bincount(seat[seat >= 0], minlength=len(market.seat_cap))
    wanted = np.arange(len(market.pref_seat)) < pos[market.entry_student]
    wasted = int((wanted & (used[market.pref_seat] < market.seat_cap[market.pref_seat])).sum())
    return justified_envy(market, seat, base).pairs + wasted
