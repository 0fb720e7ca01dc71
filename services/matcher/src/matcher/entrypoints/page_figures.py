"""What the matcher's pages show, computed from its own projections and proposals: demand versus slots per
sector, level and period, a round's figures and charts, a round compared with the one before, and the words
for codes (reasons, wish ranks, criteria) in Dutch and English.

No Flask here: plain functions over the store's records. Imports the matcher's rounds/store records, the
wording of the domain and the charts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping, Sequence

from markupsafe import Markup

from stagepool_shared.events.rounds import Summary

from ..domain.wording import CRITERION
from ..rounds.movement import Movement
from ..rounds.pool import Pool
from ..rounds.record import RoundRecord
from ..rounds.summary import rate_changes
from .charts import bar_chart, grouped_chart

REASONS = {
    "nl": {"NO_ELIGIBLE_PLACE": "Geen plaats voldoet aan alle harde criteria",
           "ALL_TAKEN_UNDER_FAIR_SHARE": "Passende plaatsen allemaal bezet bij eerlijke verdeling",
           "PLACE_WITHDRAWN": "De toegezegde plaats is na vrijgave ingetrokken; geen andere passende plaats vrij",
           "UNKNOWN": "Onbekend"},
    "en": {"NO_ELIGIBLE_PLACE": "No place meets every hard constraint",
           "ALL_TAKEN_UNDER_FAIR_SHARE": "Eligible places all taken under a fair share",
           "PLACE_WITHDRAWN": "The committed place was withdrawn after release; no other eligible place free",
           "UNKNOWN": "Unknown"},
}
MATCHES = {
    "nl": {"top1": "eerste keus", "top2": "tweede keus", "top3": "derde keus",
           "preferred_type": "voorkeurstype organisatie", "activities": "gewenste werkzaamheden",
           "none": "geen voorkeur geraakt"},
    "en": {"top1": "first choice", "top2": "second choice", "top3": "third choice",
           "preferred_type": "preferred organisation type", "activities": "wished activities",
           "none": "no stated preference met"},
}
STATUSES = {
    "nl": {"requested": "wordt berekend", "proposed": "voorgesteld", "released": "vrijgegeven",
           "failed": "mislukt", "placed": "geplaatst", "kept": "behouden", "unplaced": "niet geplaatst",
           "initial": "eerste ronde", "rematch": "herronde", "fast_track": "snelle herplaatsing",
           "offered": "kandidaten aangeboden", "candidates": "kandidatenronde", "final": "eindronde",
           "held": "vrijgave tegengehouden"},
    "en": {"requested": "being computed", "proposed": "proposed", "released": "released", "failed": "failed",
           "placed": "placed", "kept": "kept", "unplaced": "not placed", "initial": "initial round",
           "rematch": "re-match", "fast_track": "fast-track re-placement", "offered": "candidates offered",
           "candidates": "candidates round", "final": "final round", "held": "release held"},
}
FIGURES = ("students", "placed", "unplaced", "worst_school_rate", "best_school_rate", "school_spread",
           "top1_share", "top3_share")
FIGURE_NAMES = {
    "nl": {"students": "Studenten", "placed": "Geplaatst", "unplaced": "Niet geplaatst",
           "worst_school_rate": "Laagste plaatsing van een school", "best_school_rate": "Hoogste plaatsing van een school",
           "school_spread": "Grootste verschil tussen scholen in één sector",
           "top1_share": "Eerste keus (van wie plaatsen noemde)",
           "top3_share": "Een van de drie keuzes (van wie plaatsen noemde)"},
    "en": {"students": "Students", "placed": "Placed", "unplaced": "Not placed",
           "worst_school_rate": "Lowest school placement rate", "best_school_rate": "Highest school placement rate",
           "school_spread": "Widest gap between schools in one sector",
           "top1_share": "First choice (of those who named places)",
           "top3_share": "One of the three choices (of those who named places)"},
}
RATES = ("worst_school_rate", "best_school_rate", "school_spread", "top1_share", "top3_share")


def word(table: dict[str, dict[str, str]], lang: str, code: str | None) -> str:
    """The word for a code in `lang`, the code itself when unknown."""
    return table.get(lang, table["nl"]).get(code or "", code or "")


#: A criterion that is *met* reads differently from one that binds (the domain's words name the binding one).
MET = {"nl": {"excluded": "niet uitgesloten", "no_slots": "vrije plek"},
       "en": {"excluded": "not excluded", "no_slots": "free slot"}}


def criterion(lang: str, code: str | None, met: bool = False) -> str:
    if met and code in MET.get(lang, MET["nl"]):
        return MET.get(lang, MET["nl"])[code]
    return CRITERION.get(lang, CRITERION["nl"]).get(code or "", code or "")


@dataclass(frozen=True)
class Demand:
    """Students seeking and slots open for one group (a sector, a level or a period)."""

    label: str
    students: int
    slots: int


def demand_by_sector(pool: Pool) -> list[Demand]:
    students: dict[str, int] = defaultdict(int)
    slots: dict[str, int] = defaultdict(int)
    for wish in pool.wishes:
        students[wish.sector] += 1
    for place in pool.places:
        slots[place.sector] += place.slots
    return [Demand(s, students[s], slots[s]) for s in sorted(set(students) | set(slots))]


def demand_by_level(pool: Pool) -> list[Demand]:
    """A place open to two levels counts for both (it is open to either)."""
    students: dict[int, int] = defaultdict(int)
    slots: dict[int, int] = defaultdict(int)
    for wish in pool.wishes:
        students[wish.level] += 1
    for place in pool.places:
        for level in place.levels:
            slots[level] += place.slots
    return [Demand(str(level), students[level], slots[level]) for level in sorted(set(students) | set(slots))]


def demand_of_period(pool: Pool) -> Demand:
    return Demand(pool.period_id, len(pool.wishes), sum(p.slots for p in pool.places))


def demand_chart(title: str, rows: Sequence[Demand], series: tuple[str, str]) -> Markup:
    return grouped_chart(title, series, [(d.label, (d.students, d.slots)) for d in rows])


def school_rate_chart(title: str, record: RoundRecord, names: Mapping[str, str] | None = None) -> Markup | None:
    if record.summary is None or not record.summary.school_rates:
        return None
    return bar_chart(title, [(pool_label(r.school_id, r.sector, names), r.rate,
                              f"{r.rate * 100:.0f}% ({r.placed}/{r.seeking})")
                             for r in record.summary.school_rates], 1.0)


def school_ids(*records: RoundRecord | None) -> set[str]:
    """Every school the rounds' figures or audit trails name: ids to ask intake's names of."""
    ids: set[str] = set()
    for record in records:
        if record is not None:
            ids |= {r.school_id for r in (record.summary.school_rates if record.summary else ())}
            ids |= {e.school_id for e in record.audit if e.school_id}
    return ids


def pool_label(school_id: str, sector: str | None, names: Mapping[str, str] | None = None) -> str:
    """A school's row in a round's figures: the school by name (its id when intake does not name it,
    issue 14.16), and the pool's sector when it is known."""
    school = (names or {}).get(school_id) or school_id
    return f"{school} · {sector}" if sector else school


def reason_chart(title: str, record: RoundRecord, lang: str) -> Markup | None:
    if record.summary is None or not record.summary.unplaced_by_reason:
        return None
    return bar_chart(title, [(word(REASONS, lang, code), float(n), str(n))
                             for code, n in record.summary.unplaced_by_reason.items()])


def shown(figure: str, value: float | int | None) -> str:
    """A figure as text: rates as percentages, counts as numbers."""
    if value is None:
        return "–"
    if figure in RATES:
        return f"{value * 100:.1f}%"
    return f"{value:g}"


NONE_PLACEABLE = {
    "nl": "Onafhankelijk nagerekend: geen enkele verdeling kan in deze ronde een student plaatsen.",
    "en": "Independently checked: no allocation can place a student in this round.",
}
CERTIFIED = {
    "nl": "Onafhankelijk nagerekend: geen enkele verdeling plaatst meer dan {placed} studenten, en met zoveel "
          "geplaatst komt de school die er het slechtst aan toe is nooit hoger uit dan {rate}. Dit voorstel haalt "
          "allebei.",
    "en": "Independently checked: no allocation places more than {placed} students, and with that many placed "
          "the worst-off school never gets higher than {rate}. This proposal reaches both.",
}


def certificate(summary: Summary | None, lang: str) -> str | None:
    """What the validator confirmed about a proposal, in words (None for a round it did not certify)."""
    if summary is None or summary.max_placeable is None or summary.fair_bound is None:
        return None
    if summary.max_placeable == 0:
        return NONE_PLACEABLE.get(lang, NONE_PLACEABLE["nl"])
    return CERTIFIED.get(lang, CERTIFIED["nl"]).format(placed=summary.max_placeable,
                                                       rate=shown("worst_school_rate", summary.fair_bound))


def previous_round(record: RoundRecord, rounds: Sequence[RoundRecord]) -> RoundRecord | None:
    """The round to compare with: the one it names, else the latest earlier proposed round of its period."""
    by_id = {r.round_id: r for r in rounds}
    named = by_id.get(record.request.previous_round_id or "")
    if named is not None and named.summary is not None:
        return named
    earlier = [r for r in rounds if r.request.period_id == record.request.period_id and r.summary is not None
               and (r.requested_at, r.round_id) < (record.requested_at, record.round_id)]
    return earlier[-1] if earlier else None


def comparison(current: RoundRecord, before: RoundRecord, moved: Movement | None = None, lang: str = "nl",
               names: Mapping[str, str] | None = None) -> dict:
    """Figures of two rounds side by side (the earlier first) with the difference, every school's rate, and
    how students moved between them in words (keep, gain, lose, change a place)."""
    a, b = before.summary, current.summary
    assert a is not None and b is not None
    figures = [(f, shown(f, getattr(a, f)), shown(f, getattr(b, f)), _difference(f, getattr(a, f), getattr(b, f)))
               for f in FIGURES]
    schools = [(pool_label(school, sector, names), shown("top1_share", before), shown("top1_share", after),
                _difference("top1_share", before, after))
               for sector, school, before, after in rate_changes(a, b)]
    return {"before": before, "figures": figures, "schools": schools,
            "movement": moved.text(lang) if moved is not None else None}


def _difference(figure: str, a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return "–"
    change = b - a
    if figure in RATES:
        return f"{change * 100:+.1f} pp"
    return f"{change:+g}"
