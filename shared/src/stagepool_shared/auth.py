"""Who is calling: API tokens bound to a role and a scope, stored hashed in Redis.

The platform has one small identity store (`stagepool:auth:*` keys) that every service reads to check a
bearer token; tokens are issued by `intake tokens create` (or `TokenStore.issue` in tests and the demo)
and only their SHA-256 is stored. Every token expires (issue 19.10: STAGEPOOL_TOKEN_TTL_DAYS, 90 days by
default): the record carries its moment of expiry and Redis drops it then; a record without one (issued
before tokens expired) is refused. `rotate` gives the holder a new token and ends the old one at once.
Roles and scopes:

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
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Callable

import redis

ROLES = ("school_staff", "support_staff", "organisation_staff", "regional_coordinator", "desk_staff",
         "student", "service")
_PREFIX = "stagepool:auth:token:"
#: How long an API token lives unless the settings say otherwise (SignInSettings.token_ttl_s).
DEFAULT_TOKEN_TTL_S = 90 * 24 * 3600


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
    """Issues, checks, rotates and revokes API tokens; only hashes are stored, each with its expiry."""

    def __init__(self, client: redis.Redis, ttl_s: int = DEFAULT_TOKEN_TTL_S,
                 clock: Callable[[], float] = time.time):
        self.client = client
        self.ttl_s = ttl_s
        self.clock = clock

    def issue(self, user_id: str, role: str, scope: str, region_id: str = "", token: str | None = None,
              ttl_s: int | None = None) -> str:
        """Store a new token for a principal and return it (the only time it is seen in clear)."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        token = token or "sp_" + secrets.token_urlsafe(24)
        principal = Principal(user_id=user_id, role=role, scope=scope, region_id=region_id)
        self._store(self.client, token, principal, ttl_s or self.ttl_s)
        return token

    def _store(self, client: redis.Redis, token: str, principal: Principal, ttl_s: int) -> int:
        expires_at = int(self.clock()) + ttl_s
        client.set(_PREFIX + token_hash(token), json.dumps({**asdict(principal), "expires_at": expires_at}), ex=ttl_s)
        return expires_at

    def lookup(self, token: str | None) -> Principal | None:
        """The principal of a token, or None for a missing, malformed, unknown or expired one."""
        if not token or len(token) > 200:
            return None
        return self._principal(self.client.get(_PREFIX + token_hash(token)))

    def _principal(self, raw: bytes | None) -> Principal | None:
        if raw is None:
            return None
        record = json.loads(raw)
        expires_at = record.pop("expires_at", None)
        if expires_at is None or expires_at <= self.clock():
            return None
        return Principal(**record)

    def rotate(self, token: str, ttl_s: int | None = None) -> tuple[str, datetime] | None:
        """A new token for the holder of a valid one, with a new expiry; the old one ends first (read and
        deleted in one transaction, so of two rotations of the same token only one gets a new one). None when
        the token presented is not valid."""
        if not token or len(token) > 200:
            return None
        pipe = self.client.pipeline(transaction=True)
        pipe.get(_PREFIX + token_hash(token))
        pipe.delete(_PREFIX + token_hash(token))
        raw, deleted = pipe.execute()
        principal = self._principal(raw) if deleted else None
        if principal is None:
            return None
        new = "sp_" + secrets.token_urlsafe(24)
        expires_at = self._store(self.client, new, principal, ttl_s or self.ttl_s)
        return new, datetime.fromtimestamp(expires_at, UTC)

    def revoke(self, token: str) -> None:
        self.client.delete(_PREFIX + token_hash(token))


def pseudonym(secret: bytes, *parts: str) -> str:
    """A stable keyed pseudonym (HMAC-SHA256) of identifying parts, e.g. school id + student number."""
    digest = hmac.new(secret, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()
    return "stu_" + digest[:32]
