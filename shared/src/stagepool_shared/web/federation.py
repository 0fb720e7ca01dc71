"""Who a person signing in with their institution's account is here: the mapping each region keeps from the
provider's claims to a role and scope, stored next to the accounts in the identity store. No Flask; Redis only.

A rule matches one of three things, tried from the most specific on:

- `subject`: the ID token's `sub` (one person);
- `claim`: a claim and its value, e.g. `schac_home_organization` = `roc-noord.nl` (everyone the institution
  signs in), or `eduperson_affiliation` = `employee` (a claim holding a list matches when the list has it);
- `email_domain`: the domain of the `email` claim, unless the provider says `email_verified` is false.

Keys: `stagepool:auth:oidc:rules:<region>` (a hash: rule id -> rule) and `stagepool:auth:oidc:match:<digest>`
(what one match points to: region and rule id; a match belongs to one rule of one region).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

import redis

from ..auth import Principal

_RULES = "stagepool:auth:oidc:rules:"
_MATCH = "stagepool:auth:oidc:match:"
KINDS = ("subject", "claim", "email_domain")
#: Roles a region may hand out through its mapping (never student or service).
MAPPED_ROLES = ("school_staff", "support_staff", "organisation_staff", "regional_coordinator", "desk_staff")
REGION_ROLES = ("regional_coordinator", "desk_staff")


class MatchTaken(Exception):
    """The match belongs to another rule (of this or another region)."""


@dataclass(frozen=True)
class Rule:
    """One line of a region's mapping: what to match, and the role and scope it gives."""

    kind: str
    value: str
    role: str
    scope: str
    claim: str = ""

    def match_key(self) -> str:
        value = self.value.lower() if self.kind == "email_domain" else self.value
        return _match_key(self.kind, self.claim, value)


def _match_key(kind: str, claim: str, value: str) -> str:
    return _MATCH + hashlib.sha256("\x1f".join((kind, claim, value)).encode()).hexdigest()


def user_id_for(issuer: str, subject: str) -> str:
    """A stable account id for a federated person (no e-mail address or name in it)."""
    return "oidc-" + hashlib.sha256(f"{issuer}\x1f{subject}".encode()).hexdigest()[:24]


def candidate_keys(claims: dict[str, Any]) -> list[str]:
    """The match keys a set of ID-token claims could hit, the most specific first."""
    keys = [_match_key("subject", "", str(claims.get("sub", "")))]
    for name, value in sorted(claims.items()):
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and 0 < len(item) <= 254 and name not in ("sub", "nonce", "at_hash"):
                keys.append(_match_key("claim", name, item))
    email = claims.get("email")
    if isinstance(email, str) and "@" in email and claims.get("email_verified") is not False:
        keys.append(_match_key("email_domain", "", email.rsplit("@", 1)[1].lower()))
    return keys


class FederationMap:
    """The regions' mapping rules in Redis, and the lookup of a signing-in person's principal."""

    def __init__(self, client: redis.Redis):
        self.client = client

    def rules(self, region_id: str) -> dict[str, Rule]:
        raw = self.client.hgetall(_RULES + region_id)
        return {_text(k): Rule(**json.loads(v)) for k, v in sorted(raw.items())}

    def put(self, region_id: str, rule_id: str, rule: Rule) -> None:
        """Store (or replace) a rule of a region; MatchTaken when its match is another rule's."""
        owner = json.dumps({"region": region_id, "id": rule_id})
        key = rule.match_key()
        if not self.client.set(key, owner, nx=True) and _text(self.client.get(key)) != owner:
            raise MatchTaken()
        previous = self.client.hget(_RULES + region_id, rule_id)
        pipe = self.client.pipeline(transaction=True)
        if previous is not None and Rule(**json.loads(previous)).match_key() != key:
            pipe.delete(Rule(**json.loads(previous)).match_key())
        pipe.hset(_RULES + region_id, rule_id, json.dumps(asdict(rule)))
        pipe.execute()

    def delete(self, region_id: str, rule_id: str) -> bool:
        """Remove a rule of a region; False when the region has no such rule."""
        previous = self.client.hget(_RULES + region_id, rule_id)
        if previous is None:
            return False
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(Rule(**json.loads(previous)).match_key())
        pipe.hdel(_RULES + region_id, rule_id)
        pipe.execute()
        return True

    def principal_for(self, issuer: str, claims: dict[str, Any]) -> Principal | None:
        """The principal the first matching rule gives, or None for a person no region has mapped."""
        keys = candidate_keys(claims)
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.get(key)
        for found in pipe.execute():
            if found is None:
                continue
            owner = json.loads(found)
            raw = self.client.hget(_RULES + owner["region"], owner["id"])
            if raw is not None:
                rule = Rule(**json.loads(raw))
                return Principal(user_id_for(issuer, str(claims["sub"])), rule.role, rule.scope, owner["region"])
        return None


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def rule_view(rule_id: str, rule: Rule) -> dict[str, str]:
    return {"mapping_id": rule_id, **asdict(rule)}
