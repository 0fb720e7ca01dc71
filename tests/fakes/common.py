"""Doubles of the ports every service shares: the publisher, the clock, the identity store, sessions."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Sequence

from stagepool_shared import registry
from stagepool_shared.auth import Principal
from stagepool_shared.envelope import Envelope
from stagepool_shared.errors import PublishFailed
from stagepool_shared.web.accounts import Session

#: The moment a Clock starts at unless a test says otherwise.
DEFAULT_NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


class Clock:
    """A clock the test sets (`now`) or moves (`advance`); call it for the current moment."""

    def __init__(self, now: datetime = DEFAULT_NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def seconds(self) -> float:
        """The current moment in seconds since the epoch (for what takes `time.time`, e.g. TokenStore)."""
        return self.now.timestamp()

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class FakePublisher:
    """Records what would be published; encodes each event, so an invalid one fails like the real thing."""

    def __init__(self) -> None:
        self.published: list[tuple[str, Envelope]] = []
        self.fail_with: Exception | None = None

    def publish(self, envelope: Envelope, topic: str | None = None) -> None:
        self.publish_all([envelope], topic)

    def publish_all(self, envelopes: Sequence[Envelope], topic: str | None = None) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        for env in envelopes:
            registry.encode(env)
        self.published.extend((topic or registry.topic_for(e.event_type), e) for e in envelopes)

    def publish_raw(self, topic: str, value: bytes, key: bytes | None = None) -> None:
        if self.fail_with is not None:
            raise self.fail_with

    def events(self, event_type: str | None = None) -> list[Envelope]:
        return [e for _, e in self.published if event_type in (None, e.event_type)]

    def go_down(self) -> None:
        """Make every publish fail as if Kafka were unreachable."""
        self.fail_with = PublishFailed("fake: Kafka is down")

    def close(self) -> None:
        return None


class FakeKeyValue:
    """Just enough of a Redis client for the identity store (get/set/delete) and ready checks (ping), for unit
    tests of pages and views; code that needs transactions or other commands is tested on the real server."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.ttls: dict[str, int] = {}
        self.hashes: dict[str, dict[str, bytes]] = {}

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def set(self, key: str, value: str | bytes, ex: int | None = None, nx: bool = False, **_: Any) -> bool | None:
        if nx and key in self.data:
            return None
        self.data[key] = value.encode() if isinstance(value, str) else value
        if ex is not None:
            self.ttls[key] = ex
        return True

    def delete(self, *keys: str) -> int:
        """Like Redis DEL: any key, a string or a hash."""
        for key in keys:
            self.ttls.pop(key, None)
        return sum(1 for k in keys if (self.data.pop(k, None), self.hashes.pop(k, None)) != (None, None))

    # The throttle's counters (stagepool_shared.web.throttle): expiry is recorded, never run out.
    def incr(self, key: str) -> int:
        self.data[key] = str(int(self.data.get(key, b"0")) + 1).encode()
        return int(self.data[key])

    def expire(self, key: str, seconds: int, nx: bool = False) -> bool:
        if key not in self.data or (nx and key in self.ttls):
            return False
        self.ttls[key] = seconds
        return True

    def ttl(self, key: str) -> int:
        return self.ttls.get(key, -1) if key in self.data else -2

    def pipeline(self, transaction: bool = True) -> "_FakePipeline":
        return _FakePipeline(self)

    # Hashes (the sign-in mapping of stagepool_shared.web.federation).
    def hset(self, key: str, field: str, value: str) -> int:
        table = self.hashes.setdefault(key, {})
        new = field not in table
        table[field] = value.encode()
        return int(new)

    def hget(self, key: str, field: str) -> bytes | None:
        return self.hashes.get(key, {}).get(field)

    def hdel(self, key: str, *fields: str) -> int:
        table = self.hashes.get(key, {})
        return sum(1 for f in fields if table.pop(f, None) is not None)

    def hgetall(self, key: str) -> dict[bytes, bytes]:
        return {f.encode(): v for f, v in self.hashes.get(key, {}).items()}

    def ping(self) -> bool:
        return True

    def close(self) -> None:
        return None


class _FakePipeline:
    """Commands queued and run in order by `execute` (no other client runs in between in a unit test)."""

    def __init__(self, client: FakeKeyValue) -> None:
        self.client, self.calls = client, []

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: self.calls.append((name, args, kwargs))

    def execute(self) -> list[Any]:
        return [getattr(self.client, name)(*args, **kwargs) for name, args, kwargs in self.calls]


class FakeAccounts:
    """Sessions in a dict: what the shared web layer asks of Accounts."""

    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}

    def start_session(self, principal: Principal) -> Session:
        session = Session(secrets.token_urlsafe(8), principal, secrets.token_urlsafe(8))
        self.sessions[session.session_id] = session
        return session

    def session(self, session_id: str) -> Session | None:
        return self.sessions.get(session_id)

    def end_session(self, session_id: str) -> None:
        self.sessions.pop(session_id, None)


class FakeTokens:
    """API tokens of the form 'role:scope' (user id 'u-<scope>')."""

    def lookup(self, token: str | None) -> Principal | None:
        if not token or ":" not in token:
            return None
        role, scope = token.split(":", 1)
        return Principal(user_id=f"u-{scope}", role=role, scope=scope)
