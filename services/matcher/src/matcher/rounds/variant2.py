"""Variant 2's rounds (issue 15.3): the candidates round and the final round that finishes it.

A `candidates` round is computed from the period's pool like an initial round (the plain rule), and the
solver port offers each variant-2 student k candidates (k of its school and crebo in the frozen `variants`),
every one certified achievable. Its result has status "offered": it stores the outcomes and the offers and
publishes one `candidates.offered` per offered student, and is never proposed nor released.

A `final` round names its candidates round (`previous_round_id`) and uses its seed. Its frozen input is that
round's frozen input (the same wishes, places, placements, exclusions and variants, so the rule's solution is
the same), plus the offers that round made and the students' choices as the matcher had them when the final
round was requested: the offered places of the student's current wish's `candidate_choice`, in that order
(`choices_of`; intake sets that field only when the student chooses, so a top 3 made before the offer is no
choice). A student who did not choose keeps the matcher's pick. It is then a normal round:
proposed, approved per school, released.

Both manifests hash the variant-2 input and output too (the variants, offers and choices; the offers of a
candidates round), so `replay` reproduces both rounds from the log. Imports the shared events and this layer.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Iterable, Mapping

from stagepool_shared.events.rounds import CANDIDATES, FINAL
from stagepool_shared.events.wishes import Wish

from .compute import RoundResult, compute_round
from .manifest import sha256_json
from .pool import Pool

if TYPE_CHECKING:
    from ..ports import RoundSolver

OFFERED = "offered"
VARIANT2_KINDS = (CANDIDATES, FINAL)


def compute_variant2(kind: str, pool: Pool, seed: int, solver: "RoundSolver", code_version: str,
                     at: str | None) -> RoundResult:
    """Compute a candidates round (status "offered", with its offers) or a final round (the choices)."""
    solve = solver.solve_candidates if kind == CANDIDATES else solver.solve_final
    result = compute_round(pool, seed, solver, code_version, at=at, solve=solve)
    narrowed = pool.narrowed()
    extra_in = {"variants": narrowed.variants, "offers": narrowed.offers, "choices": narrowed.choices}
    manifest = replace(result.manifest, input_hash=sha256_json([result.manifest.input_hash, extra_in]))
    if kind == FINAL:
        return replace(result, manifest=manifest)
    offers = {o.student_ref: o.place_ids for o in result.offers}
    manifest = replace(manifest, output_hash=sha256_json([manifest.output_hash, offers]))
    return replace(result, manifest=manifest, status=OFFERED)


def choices_of(offers: Mapping[str, tuple[str, ...]], wishes: Iterable[Wish]) -> dict[str, tuple[str, ...]]:
    """Per offered student with a choice: the offered places the current wish's `candidate_choice` names, in
    order (set only by the student's choice at intake: a top 3 made before the offer is no choice)."""
    out = {}
    for wish in wishes:
        offered = offers.get(wish.student_ref)
        chosen = tuple(p for p in dict.fromkeys(wish.candidate_choice) if offered and p in offered)
        if chosen:
            out[wish.student_ref] = chosen
    return dict(sorted(out.items()))
