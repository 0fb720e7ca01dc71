"""Sign-in for the pages: accounts with a password hash, server-side sessions with a CSRF token, and
personal links for students. Stored in the platform's identity store (`stagepool:auth:*`) next to API
tokens, so every service's pages know the same signed-in person. No Flask here; Redis only.

Revocation (issue 19.10) works by generation counters, one per account: a session and a link remember the
generation they were made in, and are honoured only while it is still the account's current one.
`end_all_sessions` ("sign out everywhere") moves the account's session generation on, so every session of that
account ends at its next request, on every service; `renew_link` moves the link generation on, so the
student's earlier links stop working and only the new one signs in.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass

import redis

from ..auth import ROLES, Principal
from .passwords import check_password_rule
from .throttle import Throttle

_USER = "stagepool:auth:user:"
_SESSION = "stagepool:auth:session:"
_LINK = "stagepool:auth:link:"
_SESSION_GENERATION = "stagepool:auth:session-generation:"
_LINK_GENERATION = "stagepool:auth:link-generation:"
LINK_TTL_S = 60 * 24 * 3600
SESSION_TTL_S = 8 * 3600
_SCRYPT = dict(n=2**14, r=8, p=1, dklen=32)


@dataclass(frozen=True)
class Session:
    """A signed-in person: who, and the CSRF token their forms must carry."""

    session_id: str
    principal: Principal
    csrf_token: str
    id_token: str = ""  # the institution's ID token (a sign-in with OpenID Connect), the hint at logout


def _hash_password(password: str, salt: bytes) -> str:
    return hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT).hex()


class Accounts:
    """Accounts, sessions and personal links in Redis."""

    def __init__(self, client: redis.Redis):
        self.client = client
        self.throttle = Throttle(client)  # guessing of passwords and links, shared by every instance

    def create_user(self, username: str, password: str, principal: Principal) -> None:
        """Store an account; WeakPassword (a ValueError) when the password breaks the rule of passwords.py."""
        if principal.role not in ROLES:
            raise ValueError(f"unknown role {principal.role!r}")
        check_password_rule(username, password)
        salt = secrets.token_bytes(16)
        record = {"salt": salt.hex(), "hash": _hash_password(password, salt), "principal": asdict(principal)}
        self.client.set(_USER + username.lower(), json.dumps(record))

    def check_password(self, username: str, password: str) -> Principal | None:
        raw = self.client.get(_USER + username.lower()[:100])
        if raw is None:
            _hash_password(password, b"0" * 16)  # same work for unknown users: no timing oracle
            return None
        record = json.loads(raw)
        expected = _hash_password(password, bytes.fromhex(record["salt"]))
        if not hmac.compare_digest(expected, record["hash"]):
            return None
        return Principal(**record["principal"])

    def create_link(self, principal: Principal, ttl_s: int = LINK_TTL_S) -> str:
        """A personal sign-in link token for a student (sent in their message), valid for `ttl_s`."""
        token = secrets.token_urlsafe(24)
        record = {"principal": asdict(principal), "generation": self._generation(_LINK_GENERATION, principal)}
        self.client.set(_LINK + hashlib.sha256(token.encode()).hexdigest(), json.dumps(record), ex=ttl_s)
        return token

    def renew_link(self, principal: Principal, ttl_s: int = LINK_TTL_S) -> str:
        """A new personal link for a student; every earlier link of theirs stops working."""
        self.client.incr(_LINK_GENERATION + principal.user_id)
        return self.create_link(principal, ttl_s)

    def principal_for_link(self, token: str) -> Principal | None:
        raw = self.client.get(_LINK + hashlib.sha256(token.encode()).hexdigest()) if len(token) < 100 else None
        if not raw:
            return None
        record = json.loads(raw)
        if "principal" not in record:  # a link made before generations: generation 0
            record = {"principal": record, "generation": 0}
        principal = Principal(**record["principal"])
        return principal if record["generation"] == self._generation(_LINK_GENERATION, principal) else None

    def start_session(self, principal: Principal, id_token: str = "") -> Session:
        session = Session(secrets.token_urlsafe(32), principal, secrets.token_urlsafe(24), id_token)
        record = {"principal": asdict(principal), "csrf": session.csrf_token,
                  "generation": self._generation(_SESSION_GENERATION, principal)}
        if id_token:
            record["id_token"] = id_token
        self.client.set(_SESSION + session.session_id, json.dumps(record), ex=SESSION_TTL_S)
        return session

    def session(self, session_id: str | None) -> Session | None:
        """The live session of this id: None when unknown, expired, or ended by "sign out everywhere"."""
        if not session_id or len(session_id) > 100:
            return None
        raw = self.client.get(_SESSION + session_id)
        if raw is None:
            return None
        record = json.loads(raw)
        principal = Principal(**record["principal"])
        if record.get("generation", 0) != self._generation(_SESSION_GENERATION, principal):
            return None
        return Session(session_id, principal, record["csrf"], record.get("id_token", ""))

    def end_session(self, session_id: str) -> None:
        self.client.delete(_SESSION + session_id)

    def end_all_sessions(self, principal: Principal) -> None:
        """Sign out everywhere: every session of this account ends at its next request, on every service."""
        self.client.incr(_SESSION_GENERATION + principal.user_id)

    def _generation(self, prefix: str, principal: Principal) -> int:
        raw = self.client.get(prefix + principal.user_id)
        return int(raw) if raw else 0
