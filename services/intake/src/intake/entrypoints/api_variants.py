"""The matching variant's API (issue 15.3): a school's staff set the variant of one of its programmes (crebo)
in a period (1 the school matches, 2 the student chooses one of k candidates, 3 the student's own top 3), and
read what they set. A write answers 202 once Kafka acknowledged `variant.set` (pattern A); an unknown period or
crebo, or k outside 2-5, is a field error (422) and nothing is published or stored.

A variant-2 student reads the candidates offered and chooses one (or ranks up to three): `wish.updated` with
the choice as the top wishes; after the period's choice deadline a 409, and a bad choice a field error.
"""

from __future__ import annotations

from flask import Blueprint, Response, g

from stagepool_shared.http import read_json

from ..commands import variants
from .planning_rows import ChoiceIn, VariantIn
from .web import SCHOOL_ROLES, accepted, deps, idempotent, json_response, load, requires, seed

bp = Blueprint("variants", __name__, url_prefix="/api/v1")


@bp.put("/variants")
@requires(*SCHOOL_ROLES)
@idempotent
def put_variant() -> Response:
    """Set the variant of one programme of the caller's school in a period."""
    data = load(VariantIn(), read_json())
    principal = g.principal
    return accepted(variants.set_variant(deps(), principal.scope, principal.region_id, data, seed()))


@bp.get("/variants")
@requires(*SCHOOL_ROLES)
def list_variants() -> Response:
    """The caller's school's settings (a programme without one uses variant 1)."""
    return json_response({"variants": variants.variants_of_school(deps(), g.principal.scope)})


@bp.get("/choices/<string(maxlength=80):period_id>")
@requires("student")
def get_choice(period_id: str) -> Response:
    """The caller's variant in the period and, for variant 2, the candidates offered and the choice so far."""
    return json_response(variants.candidate_view(deps(), g.principal.scope, period_id))


@bp.post("/choices/<string(maxlength=80):period_id>")
@requires("student")
@idempotent
def post_choice(period_id: str) -> Response:
    """A variant-2 student chooses one of the candidates offered (or ranks up to three)."""
    data = load(ChoiceIn(), read_json())
    return accepted(variants.choose_candidates(deps(), g.principal.scope, period_id, data["choice"], seed()))

