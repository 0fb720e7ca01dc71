"""The round page's figures per matching variant (issue 15.5): of the students of each variant (1 the school
matches, 2 the student chooses one of k candidates, 3 the student's own top 3), the share placed at their
first choice, at any candidate offered, at one of their top 3, or at none of these, per variant and per
school and pool. The counting is `stagepool_shared.variant_figures`, the function reporting's period report
uses, so both agree.

No Flask here: plain functions over a round's outcomes, the pool's wishes and the schools' variants (the
store's projection of `variant.set`). Imports the shared figures, the matcher's store port and records.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

from stagepool_shared.events.rounds import CANDIDATES, FINAL, Outcome
from stagepool_shared.events.wishes import Wish
from stagepool_shared.variant_figures import KINDS, VariantStudent, variant_figures

from ..domain.variant2 import ChoiceOutcome, describe_choice
from ..ports import AbstractRoundStore
from ..rounds.record import RoundRecord

PLACED = ("placed", "kept")
ALL = {"nl": "alle scholen", "en": "all schools"}
COLUMNS = {
    "nl": ("Variant", "School", "Pool", "Studenten", "Eerste keus", "Een aangeboden kandidaat", "Een van de top 3",
           "Geen van deze"),
    "en": ("Variant", "School", "Pool", "Students", "First choice", "A candidate offered", "One of the top 3",
           "None of these"),
}


def _share(count: int | None, students: int) -> str:
    return "–" if count is None or not students else f"{count / students * 100:.1f}%"


def variant_rows(outcomes: Sequence[Outcome], wishes: Sequence[Wish], variant_of: Callable[[str, str, str], int],
                 offers: Mapping[str, Sequence[str]] | None = None, names: Mapping[str, str] | None = None,
                 lang: str = "nl") -> list[tuple[str, ...]]:
    """One row per variant (every school), then per variant, school and pool: the variant, the school by name,
    the pool, the students and the four shares. `variant_of(school, crebo, period)` says a programme's
    variant; `offers` (student ref -> the candidates offered) is None where the round offered none, which
    shows "–" for the candidates."""
    wish_of = {w.student_ref: w for w in wishes}
    students = []
    for outcome in outcomes:
        wish = wish_of.get(outcome.student_ref)
        variant = variant_of(outcome.school_id, wish.crebo, wish.period_id) if wish else 1
        offered = None if offers is None else (offers.get(outcome.student_ref) or None)
        placed = outcome.status in PLACED
        candidate = None if offered is None else (placed and outcome.place_id in offered)
        students.append(VariantStudent(variant, outcome.school_id, wish.sector if wish else "", placed,
                                       outcome.wish_match, candidate))
    rows = []
    for v in variant_figures(students):
        school = ALL.get(lang, ALL["nl"]) if v.school_id is None else (names or {}).get(v.school_id) or v.school_id
        rows.append((str(v.variant), school, v.pool or "", str(v.students),
                     *(_share(getattr(v, kind), v.students) for kind in KINDS)))
    return rows


def columns(lang: str) -> tuple[str, ...]:
    """The block's column heads in `lang`."""
    return COLUMNS.get(lang, COLUMNS["nl"])


def round_rows(store: AbstractRoundStore, record: RoundRecord, names: Mapping[str, str] | None = None,
               lang: str = "nl") -> list[tuple[str, ...]]:
    """The block of a computed round ([] before it is computed, or when no school of the period set a variant:
    then every student is of variant 1 and the figures above say it all). The students' programmes come from
    the period's current wishes; the candidates offered are those of the round (a candidates round) or of the
    candidates round it finishes (a final round), "–" for any other round."""
    request = record.request
    settings = store.variants(request.region_id, request.period_id)
    if record.summary is None or not settings:
        return []
    wishes = store.load_pool(request.region_id, request.period_id, request.sector).wishes

    def variant_of(school_id: str, crebo: str, _period_id: str) -> int:
        return settings.get((school_id, crebo), (1, 0))[0]

    return variant_rows(store.outcomes(record.round_id), wishes, variant_of, offers_of(store, record), names, lang)


def offers_of(store: AbstractRoundStore, record: RoundRecord) -> dict[str, tuple[str, ...]] | None:
    """The candidates offered in a round: its own (candidates round), its candidates round's (final round)."""
    request = record.request
    if request.kind == CANDIDATES:
        return store.offers(record.round_id)
    if request.kind == FINAL and request.previous_round_id:
        return store.offers(request.previous_round_id)
    return None


def choice_text(outcome: Outcome, lang: str = "nl") -> str:
    """What a final round did with a variant-2 student's choice, in words ("" for any other outcome)."""
    if outcome.choice is None:
        return ""
    rank = int(outcome.wish_match[3:]) if outcome.wish_match.startswith("top") else None
    return describe_choice(ChoiceOutcome(outcome.student_ref, outcome.choice, outcome.place_id, (), rank), lang)


def offer_rows(store: AbstractRoundStore, record: RoundRecord, names: Mapping[str, str] | None = None,
               lang: str = "nl") -> list[dict[str, str]]:
    """The round page's offers (variant 2), per offered student: the pseudonym, the school, the candidates (the
    matcher's pick first) and, in a final round, the place granted and what became of the choice in words."""
    offers = offers_of(store, record)
    if not offers or record.summary is None:
        return []
    by_ref = {o.student_ref: o for o in store.outcomes(record.round_id)}
    rows = []
    for ref, ids in sorted(offers.items()):
        outcome = by_ref.get(ref)
        if outcome is None:
            continue
        rows.append({"student_ref": ref, "school": (names or {}).get(outcome.school_id) or outcome.school_id,
                     "candidates": ", ".join(ids), "place": (outcome.place_id or "–") if record.request.kind == FINAL
                     else "", "why": choice_text(outcome, lang)})
    return rows
