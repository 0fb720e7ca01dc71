"""What the scenario pages show and export: the comparison as rows (figure x policy) in Dutch or English,
the bar charts per figure, and the forms a coordinator fills in (checked before anything is stored).

The same rows feed the page's table and the XLSX export, so both always say the same. Imports marshmallow,
the shared vocabularies, the matcher's charts and the scenario package.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate
from markupsafe import Markup

from stagepool_shared.events.base import ID_PATTERN
from stagepool_shared.events.wishes import SECTORS
from stagepool_shared.web.openapi_schemas import StrictSchema

from ..scenarios.compare import POLICIES, Comparison
from ..scenarios.edits import DemandEdit, Edit, PlacesEdit, ReservedEdit, TravelEdit
from ..scenarios.figures import PolicyFigures
from .charts import bar_chart

POLICY_NAMES = {
    "stagepool": ("(a) Stagepool-regel", "(a) Stagepool rule"),
    "da_common": ("(b) Uitgesteld accepteren, één loting", "(b) Deferred acceptance, one lottery"),
    "da_per_place": ("(c) Uitgesteld accepteren, loting per plaats", "(c) Deferred acceptance, lottery per place"),
    "first_come": ("(d) Wie het eerst komt, per school", "(d) First come, per school"),
}
REASONS = {
    "NO_ELIGIBLE_PLACE": ("geen passende plaats", "no eligible place"),
    "ALL_TAKEN": ("passende plaatsen vol", "eligible places full"),
    "ALL_TAKEN_UNDER_FAIR_SHARE": ("passende plaatsen vol (eerlijk verdeeld)", "eligible places full (fair share)"),
    "PLACE_WITHDRAWN": ("plaats ingetrokken", "place withdrawn"),
}
STATUSES = {"draft": ("concept", "draft"), "queued": ("in de wachtrij", "queued"),
            "running": ("loopt", "running"), "done": ("klaar", "done"), "failed": ("mislukt", "failed")}
EDIT_FIELDS = ("kind", "change", "organisation_id", "sector", "school_id", "percent", "minutes", "place_id", "slots")
EDIT_KINDS = (("places", ("Plekken per organisatie of sector", "Places per organisation or sector")),
              ("demand", ("Vraag van een school (+/- %)", "A school's demand (+/- %)")),
              ("travel", ("Reistijdgrens (+/- minuten)", "Travel limit (+/- minutes)")),
              ("reserved", ("Gereserveerde plekken", "Reserved slots")))


def word(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def policy_name(policy: str, lang: str) -> str:
    return word(POLICY_NAMES.get(policy, (policy, policy)), lang)


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def figure_rows(c: Comparison, lang: str) -> list[tuple[str, list[Any]]]:
    """(figure, value per policy in c.policies order) rows of the comparison."""
    ps = c.policies
    reasons = sorted({code for p in ps for code in p.unplaced_by_reason})
    rows: list[tuple[str, list[Any]]] = [
        (word(("Studenten", "Students"), lang), [p.students for p in ps]),
        (word(("Geplaatst", "Placed"), lang), [p.placed for p in ps]),
    ]
    rows += [(word(("Niet geplaatst: ", "Not placed: "), lang) + word(REASONS.get(code, (code, code)), lang),
              [p.unplaced_by_reason.get(code, 0) for p in ps]) for code in reasons]
    rows += [
        (word(("Laagste schoolpercentage", "Worst school rate"), lang), [_pct(p.worst_rate) for p in ps]),
        (word(("Grootste verschil tussen scholen in een pool", "Largest spread between schools in a pool"), lang),
         [_pct(p.spread) for p in ps]),
        (word(("Op eerste keus (top-1)", "At the first choice (top-1)"), lang), [p.ranks["top1"] for p in ps]),
        (word(("Op een van de drie keuzes (top-3)", "At one of the three choices (top-3)"), lang),
         [p.ranks["top3"] for p in ps]),
        (word(("Elders geplaatst", "Placed elsewhere"), lang), [p.ranks["other"] for p in ps]),
        (word(("Niet geplaatst", "Not placed"), lang), [p.ranks["none"] for p in ps]),
        (word(("Reistijd totaal (minuten)", "Travel time in total (minutes)"), lang), [p.travel_total for p in ps]),
        (word(("Reistijd mediaan (minuten)", "Travel time median (minutes)"), lang), [p.travel_median for p in ps]),
        (word(("Gerechtvaardigde afgunst: paren", "Justified envy: pairs"), lang), [p.envy_pairs for p in ps]),
        (word(("Gerechtvaardigde afgunst: studenten", "Justified envy: students"), lang),
         [p.envy_students for p in ps]),
        (word(("Rekentijd (seconden)", "Run time (seconds)"), lang), [p.seconds for p in ps]),
    ]
    return rows


def school_rows(c: Comparison, lang: str) -> list[tuple[str, list[Any]]]:
    """(school in pool, placement rate per policy) rows."""
    keys = [(s.pool, s.school_id, s.students) for s in c.policies[0].schools] if c.policies else []
    rates = [{(s.pool, s.school_id): s for s in p.schools} for p in c.policies]
    return [(f"{school} · {pool} ({n})", [_pct(r[(pool, school)].rate) if (pool, school) in r else "–" for r in rates])
            for pool, school, n in keys]


def charts(c: Comparison, lang: str) -> list[Markup]:
    """One bar chart per headline figure, a bar per policy."""
    def chart(title: tuple[str, str], value, shown) -> Markup:
        return bar_chart(word(title, lang), [(policy_name(p.policy, lang), float(value(p)), shown(p))
                                             for p in c.policies])
    return [
        chart(("Geplaatst", "Placed"), lambda p: p.placed, lambda p: str(p.placed)),
        chart(("Laagste schoolpercentage", "Worst school rate"), lambda p: p.worst_rate, lambda p: _pct(p.worst_rate)),
        chart(("Op eerste keus (top-1)", "At the first choice (top-1)"), lambda p: p.ranks["top1"],
              lambda p: str(p.ranks["top1"])),
        chart(("Gerechtvaardigde afgunst (paren)", "Justified envy (pairs)"), lambda p: p.envy_pairs,
              lambda p: str(p.envy_pairs)),
    ]


def export_rows(c: Comparison, edits: list[str], lang: str) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The XLSX rows and columns: the figures, the per-school rates, and the edits the scenario made."""
    columns = [("figure", word(("Cijfer", "Figure"), lang))] + [(p.policy, policy_name(p.policy, lang))
                                                              for p in c.policies]
    rows = [{"figure": label, **{p.policy: v for p, v in zip(c.policies, values)}}
            for label, values in figure_rows(c, lang) + school_rows(c, lang)]
    rows += [{"figure": word(("Wijziging: ", "Edit: "), lang) + text} for text in edits]
    return rows, columns


class CreateForm(StrictSchema):
    period_id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN))


class EditForm(StrictSchema):
    """One edit: its kind and the fields that kind reads (the others are ignored)."""

    kind = fields.String(required=True, validate=validate.OneOf([k for k, _ in EDIT_KINDS]))
    change = fields.Integer(load_default=None, validate=validate.Range(-10_000, 10_000))
    organisation_id = fields.String(load_default=None, validate=validate.Regexp(ID_PATTERN))
    sector = fields.String(load_default=None, validate=validate.OneOf(SECTORS))
    school_id = fields.String(load_default=None, validate=validate.Regexp(ID_PATTERN))
    percent = fields.Integer(load_default=None, validate=validate.Range(-100, 1000))
    minutes = fields.Integer(load_default=None, validate=validate.Range(-240, 240))
    place_id = fields.String(load_default=None, validate=validate.Regexp(ID_PATTERN))
    slots = fields.Integer(load_default=None, validate=validate.Range(0, 500))


REQUIRED = {"places": ("change",), "demand": ("school_id", "percent"), "travel": ("minutes",),
            "reserved": ("place_id", "school_id", "slots")}


def edit_of(body: dict[str, Any]) -> tuple[Edit | None, dict[str, list[str]]]:
    """The edit of a checked form, or the fields its kind needs but misses."""
    missing = {name: ["Missing data for required field."] for name in REQUIRED[body["kind"]] if body[name] is None}
    if missing:
        return None, missing
    kind = body["kind"]
    if kind == "places":
        return PlacesEdit(body["change"], body["organisation_id"], body["sector"]), {}
    if kind == "demand":
        return DemandEdit(body["school_id"], body["percent"]), {}
    if kind == "travel":
        return TravelEdit(body["minutes"], body["school_id"]), {}
    return ReservedEdit(body["place_id"], body["school_id"], body["slots"]), {}


class PoliciesForm(StrictSchema):
    policies = fields.List(fields.String(validate=validate.OneOf(POLICIES)), required=True,
                           validate=validate.Length(min=1))
    seed = fields.Integer(load_default=0, validate=validate.Range(0, 2**31 - 1))


def progress_text(done: int, total: int, status: str, lang: str) -> str:
    state = word(STATUSES.get(status, (status, status)), lang)
    return f"{state}: {done} / {total}" if total else state


def figures_of(c: Comparison | None) -> list[PolicyFigures]:
    return list(c.policies) if c else []
