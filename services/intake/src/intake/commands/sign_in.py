"""What a regional coordinator keeps for sign-in with the schools' own accounts (issue 19): the region's
mapping from institution accounts to a role and scope. Stored in the platform's identity store
(stagepool_shared.web.federation); nothing is published.

Imports the shared federation map, the ports and intake's errors.
"""

from __future__ import annotations

from typing import Any

from stagepool_shared.web.federation import REGION_ROLES, FederationMap, MatchTaken, Rule, rule_view

from ..errors import Conflict, InvalidInput, NotFound
from ..ports import Deps

SCHOOL_ROLES = ("school_staff", "support_staff")
NOT_OUR_SCHOOL = "Not a school of your region."


def sign_in_rules(federation: FederationMap, region_id: str) -> list[dict[str, str]]:
    """The rules of a region, by id."""
    return [rule_view(rule_id, rule) for rule_id, rule in federation.rules(region_id).items()]


def put_sign_in_rule(deps: Deps, federation: FederationMap, region_id: str, data: dict[str, Any]) -> dict[str, str]:
    """Create or replace a rule of the coordinator's region.

    A school role's scope must be a school registered in this region (a field error otherwise); a regional
    role's scope is the region itself. A match another rule holds (of this region or another) is a conflict.
    """
    role = data["role"]
    scope = region_id if role in REGION_ROLES else data["scope"]
    if role in SCHOOL_ROLES:
        school = deps.store.get_school(scope)
        if school is None or school.region_id != region_id:
            raise InvalidInput({"scope": [NOT_OUR_SCHOOL]})
    value = data["value"].lower() if data["kind"] == "email_domain" else data["value"]
    rule = Rule(kind=data["kind"], value=value, role=role, scope=scope, claim=data.get("claim", ""))
    try:
        federation.put(region_id, data["mapping_id"], rule)
    except MatchTaken as err:
        raise Conflict("Another rule already matches this.") from err
    return rule_view(data["mapping_id"], rule)


def delete_sign_in_rule(federation: FederationMap, region_id: str, rule_id: str) -> None:
    """Remove a rule of the coordinator's region (NotFound for a rule the region does not have)."""
    if not federation.delete(region_id, rule_id):
        raise NotFound()
