"""The matching variant's page (issue 15.3): a school's staff set the variant of a programme (crebo) in a
period (a variant-2 student's choice is on the catalogue page, pages/student.py).

Views parse the form, call intake's commands and show field messages like the API. Imports Flask, the shared
web layer and intake's commands and edge.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from stagepool_shared.web.pages import page, render, t

from ...commands import variants
from ..planning_rows import VariantIn
from ..web import SCHOOL_ROLES, deps
from .common import choice_lists, me, submit_form, unavailable
from .forms import FormField

bp = Blueprint("variant_pages", __name__, url_prefix="/pages")
VARIANT_FIELDS = tuple(FormField(n, k) for n, k in (
    ("period_id", "text"), ("crebo", "text"), ("variant", "int"), ("candidates", "int")))
VARIANT_WORDS = {1: ("De school maakt de match", "The school makes the match"),
                 2: ("De student kiest uit k kandidaatplaatsen", "The student chooses from k candidate places"),
                 3: ("De student maakt een top 3; de school maakt de definitieve match",
                     "The student makes a top 3; the school makes the final match")}


def variant_words() -> dict[int, str]:
    """The three variants in the page's language."""
    return {n: t(*words) for n, words in VARIANT_WORDS.items()}


def _variants_page(status: int = 200, values: dict | None = None, errors: dict | None = None,
                   **extra: Any) -> Response:
    context = dict(lines=variants.variants_of_school(deps(), me().scope), words=variant_words(),
                   values=values or {"variant": "1", "candidates": "3"}, errors=errors or {},
                   choices={**choice_lists(me().region_id), "variants": list(variant_words().items()),
                            "ks": [(k, str(k)) for k in range(2, 6)]},
                   done=request.args.get("done", ""))
    if extra.pop("unavailable", False):
        return unavailable("pages/school_variants.html", **context)
    return render("pages/school_variants.html", status=status, **context)


@bp.route("/school/variants", methods=["GET", "POST"])
@page(*SCHOOL_ROLES)
def school_variants() -> Response:
    """The school's variant per programme and period, and a form to set one (publishes variant.set)."""
    if request.method == "GET":
        return _variants_page()
    principal = me()
    return submit_form(VARIANT_FIELDS, VariantIn(), lambda data: variants.set_variant(
        deps(), principal.scope, principal.region_id, data), _variants_page, "set", ".school_variants")
