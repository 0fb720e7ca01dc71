"""Who is calling: API tokens bound to a role and a scope, stored hashed in Redis.

The platform has one small identity store (`stagepool:auth:*` keys) that every service reads to check a
bearer token; tokens are issued by `stagepool tokens create` (or `TokenStore.issue` in tests and the demo)
and only their SHA-256 is stored. Roles and scopes:

- school_staff (scope: school_id), support_staff (scope: school_id)
- organisation_staff (scope: organisation_id)
- regional_coordinator (scope: region_id)
- desk_staff (scope: region_id)
- student (scope: student_ref, the pseudonym)
- service (scope: the calling service's name, for service-to-service calls)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass

import redis

ROLES = ("school_staff", "support_staff", "organisation_staff", "regional_coordinator", "desk_staff",
         "student", "service")
_PREFIX = "stagepool:auth:token:"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a user id, a role and the one scope the role is bound to."""

    user_id: str
    role: str
    scope: str
    region_id: str = ""

    def is_(self, *roles: str) -> bool:
        return self.role in roles

    def can_act_for_school(self, school_id: str) -> bool:
        return self.role in ("school_staff", "support_staff") and self.scope == school_id

    def can_act_for_organisation(self, organisation_id: str) -> bool:
        return self.role == "organisation_staff" and self.scope == organisation_id


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore:
    """Issues and checks API tokens; only hashes are stored."""

    def __init__(self, client: redis.Redis):
        self.client = client

    def issue(self, user_id: str, role: str, scope: str, region_id: str = "", token: str | None = None) -> str:
        """Store a new token for a principal and return it (the only time it is seen in clear)."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        token = token or "sp_" + secrets.token_urlsafe(24)
        principal = Principal(user_id=user_id, role=role, scope=scope, region_id=region_id)
        self.client.set(_PREFIX + token_hash(token), json.dumps(asdict(principal)))
        return token

    def lookup(self, token: str | None) -> Principal | None:
        """The principal of a token, or None for a missing, malformed or unknown one."""
        if not token or len(token) > 200:
            return None
        raw = self.client.get(_PREFIX + token_hash(token))
        if raw is None:
            return None
        return Principal(**json.loads(raw))

    def revoke(self, token: str) -> None:
        self.client.delete(_PREFIX + token_hash(token))


def pseudonym(secret: bytes, *parts: str) -> str:
    """A stable keyed pseudonym (HMAC-SHA256) of identifying parts, e.g. school id + student number."""
    digest = hmac.new(secret, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()
    return "stu_" + digest[:32]
