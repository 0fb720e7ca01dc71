"""The scarce-options level of the rule (docs/matching.md 1.5, level 2b): who counts as having few options.

A student's scarcity key is 0 when the student has a support need (the places offering the support are
few), else the number of places the student is eligible for. Lower keys come first: among allocations with
the most placed, the fewest released reserved slots and the fairest school rates, the rule places as many
students of key 0 as possible, then of key 1, then of key 2, and so on (lexicographically). The key reads
criteria only (support needs and eligibility), never identity. Explanations name the reason for students
with a support need and for students with at most FEW_PLACES eligible places.
Imports numpy only.
"""

from __future__ import annotations

import numpy as np

SUPPORT_KEY = 0
FEW_PLACES = 3  # a placed student with at most this many eligible places is told it had few options


def scarcity_keys(support_bits: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Per student: 0 with a support need, else the number of eligible places (int64)."""
    bits = np.asarray(support_bits)
    needs = bits.reshape(len(bits), -1).any(axis=1) if bits.size else np.zeros(len(eligible), dtype=bool)
    return np.where(needs, SUPPORT_KEY, np.asarray(eligible, dtype=np.int64)).astype(np.int64)


def level_values(n_levels: int, changes: int) -> list[int]:
    """Cost of each level (0 for the first), exact for a lexicographic order when a cycle changes the
    placement of at most `changes` students.

    With gaps g_i = v_{i+1} - v_i and R_i = the sum of the gaps after i, g_i = (changes - 1) * R_i + 1: a
    cycle that places one more student of its first changed level i and at most changes - 1 others of later
    levels lowers the cost by at least (P + 1) g_i - P (g_i + R_i) >= 1 (P = the later students it places).
    """
    gaps = [0] * max(n_levels - 1, 0)
    rest = 0
    for i in range(n_levels - 2, -1, -1):
        gaps[i] = max(changes - 1, 0) * rest + 1
        rest += gaps[i]
    values, total = [0], 0
    for g in gaps:
        total += g
        values.append(total)
    return values[:n_levels] if n_levels else []


def levels_of(keys: np.ndarray, distinguished: int) -> tuple[np.ndarray, int]:
    """(level per student, number of levels) when the `distinguished` smallest keys present are ranked
    one by one and every larger key shares the last level."""
    present = np.unique(keys)
    level = np.minimum(np.searchsorted(present, keys), distinguished)
    return level.astype(np.int64), level_count(len(present), distinguished)


def level_count(present: int, distinguished: int) -> int:
    """The number of levels when the `distinguished` smallest of `present` distinct keys are ranked one by one
    and every larger key shares the last level (`levels_of`'s count, without the students' levels)."""
    return min(distinguished, present) + (1 if distinguished < present else 0)
