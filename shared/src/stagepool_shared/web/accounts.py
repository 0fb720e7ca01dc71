"""Sign-in for the pages: accounts with a password hash, server-side sessions with a CSRF token, and
personal links for students. Stored in the platform's identity store (`stagepool:auth:*`) next to API
tokens, so every service's pages know the same signed-in person. No Flask here; Redis only.
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
SESSION_TTL_S = 8 * 3600
_SCRYPT = dict(n=2**14, r=8, p=1, dklen=32)


@dataclass(frozen=True)
class Session:
    """A signed-in person: who, and the CSRF token their forms must carry."""

    session_id: str
    principal: Principal
    csrf_token: str


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

    def create_link(self, principal: Principal, ttl_s: int = 60 * 24 * 3600) -> str:
        """A personal sign-in link token for a student (sent in their message)."""
        token = secrets.token_urlsafe(24)
        self.client.set(_LINK + hashlib.sha256(token.encode()).hexdigest(), json.dumps(asdict(principal)), ex=ttl_s)
        return token

    def principal_for_link(self, token: str) -> Principal | None:
        raw = self.client.get(_LINK + hashlib.sha256(token.encode()).hexdigest()) if len(token) < 100 else None
        return Principal(**json.loads(raw)) if raw else None

    def start_session(self, principal: Principal) -> Session:
        session = Session(secrets.token_urlsafe(32), principal, secrets.token_urlsafe(24))
        record = {"principal": asdict(principal), "csrf": session.csrf_token}
        self.client.set(_SESSION + session.session_id, json.dumps(record), ex=SESSION_TTL_S)
        return session

    def session(self, session_id: str | None) -> Session | None:
        if not session_id or len(session_id) > 100:
            return None
        raw = self.client.get(_SESSION + session_id)
        if raw is None:
            return None
        record = json.loads(raw)
        return Session(session_id, Principal(**record["principal"]), record["csrf"])

    def end_session(self, session_id: str) -> None:
        self.client.delete(_SESSION + session_id)
