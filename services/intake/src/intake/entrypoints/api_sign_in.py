"""Sign-in administration (issue 19): the region's mapping from institution accounts (OpenID Connect claims)
to a role and scope, kept by the regional coordinator; and the rotation of one's own API token.

The mapping lives in the platform's identity store (stagepool_shared.web.federation), which every service's
pages read when someone signs in with their school's account. Field problems answer 422 per field, a match
held by another rule or region 409, a rule of another region 404.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, g
from marshmallow import ValidationError, fields, validate, validates_schema

from stagepool_shared.http import bearer_token, error, read_json
from stagepool_shared.web.federation import KINDS, MAPPED_ROLES, REGION_ROLES, FederationMap

from .. import commands
from .schemas import Strict, ident, text
from .web import deps, json_response, load, requires, wiring

bp = Blueprint("sign_in", __name__, url_prefix="/api/v1")
COORDINATOR = "regional_coordinator"
MAPPING = "/sign-in/mappings/<string(maxlength=80):mapping_id>"
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_CLAIM = r"^[A-Za-z][A-Za-z0-9_:.-]{0,63}$"


def _federation() -> FederationMap:
    """The identity store's mapping (the wiring's Redis client)."""
    return FederationMap(wiring().redis_client)


class SignInMappingIn(Strict):
    """One rule: what to match in the ID token (subject, a claim's value, the e-mail domain), and the role
    and scope it gives (a school or organisation id; a regional role's scope is the region itself)."""

    mapping_id = ident()
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    claim = fields.String(validate=validate.Regexp(_CLAIM))
    value = text(254, required=True)
    role = fields.String(required=True, validate=validate.OneOf(MAPPED_ROLES))
    scope = ident(required=False)

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        kind, role = data.get("kind"), data.get("role")
        if kind == "claim" and not data.get("claim"):
            errors["claim"] = ["Required for a claim rule."]
        if kind in ("subject", "email_domain") and "claim" in data:
            errors["claim"] = ["Only for a claim rule."]
        if kind == "email_domain" and "value" in data and not _DOMAIN.match(data["value"].lower()):
            errors["value"] = ["Not a domain name."]
        if role and role not in REGION_ROLES and not data.get("scope"):
            errors["scope"] = ["Required for this role: the school or organisation id."]
        if role in REGION_ROLES and data.get("scope"):
            errors["scope"] = ["A regional role's scope is the region itself: leave it out."]
        if errors:
            raise ValidationError(errors)


@bp.get("/sign-in/mappings")
@requires(COORDINATOR)
def list_mappings() -> Response:
    """The coordinator's region's mapping rules."""
    return json_response({"mappings": commands.sign_in_rules(_federation(), g.principal.scope)})


@bp.put(MAPPING)
@requires(COORDINATOR)
def put_mapping(mapping_id: str) -> Response:
    """Create or replace a rule of the coordinator's region (the path id must match the body)."""
    data = load(SignInMappingIn(), read_json())
    if data["mapping_id"] != mapping_id:
        raise ValidationError({"mapping_id": ["Must equal the id in the path."]})
    rule = commands.put_sign_in_rule(deps(), _federation(), g.principal.scope, data)
    return json_response(rule, 200)


@bp.delete(MAPPING)
@requires(COORDINATOR)
def delete_mapping(mapping_id: str) -> Response:
    """Remove a rule of the coordinator's region: nobody signs in through it any more."""
    commands.delete_sign_in_rule(_federation(), g.principal.scope, mapping_id)
    return Response(status=204)


@bp.post("/tokens/rotate")
@requires()
def rotate_token() -> Response:
    """A new token for the caller, with a new expiry; the presented one stops working at once."""
    rotated = wiring().tokens.rotate(bearer_token() or "", wiring().settings.links.sign_in.token_ttl_s)
    if rotated is None:
        return error(401, "unauthorized", "A valid API token is required.", headers={"WWW-Authenticate": "Bearer"})
    token, expires_at = rotated
    return json_response({"token": token, "expires_at": expires_at.isoformat()}, 200)
