"""Throttling of guessable actions (issue 19.2): wrong passwords per account and per client address, unknown
student links per address. Counters and lockouts live in Redis (`stagepool:throttle:*`), so every instance
of every service sees the same state; process memory would let an attacker spread guesses over instances.

A failure adds one to a fixed-window counter (INCR + EXPIRE in one MULTI/EXEC); the failure that passes the
limit sets a lockout key that expires by itself. `blocked` answers how many seconds a lockout has left.
No Flask here; Redis and prometheus_client only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import redis
from prometheus_client import Counter

_PREFIX = "stagepool:throttle:"

#: Every refusal and every lockout, by action (login, student_link, desk_filing) and scope (account, address,
#: person).
THROTTLED = Counter("stagepool_web_throttled_total", "Requests refused or locks set by the guessing throttle",
                    ["action", "scope", "outcome"])


@dataclass(frozen=True)
class Limit:
    """At most `attempts` failures within `window_s`; the next one locks the subject for `lockout_s`."""

    attempts: int
    window_s: int
    lockout_s: int


#: Wrong passwords of one account; of one client address (over all accounts); unknown links of one address.
LOGIN_PER_ACCOUNT = Limit(attempts=5, window_s=15 * 60, lockout_s=15 * 60)
LOGIN_PER_ADDRESS = Limit(attempts=20, window_s=15 * 60, lockout_s=15 * 60)
LINK_PER_ADDRESS = Limit(attempts=10, window_s=15 * 60, lockout_s=15 * 60)
#: Sign-ins with the school's account started from one address: each stores a state in Redis for ten minutes.
OIDC_START_PER_ADDRESS = Limit(attempts=30, window_s=15 * 60, lockout_s=15 * 60)
#: Desk reports filed by one person: a sixth within the hour waits (a real case needs one report, not twenty).
FILING_PER_PERSON = Limit(attempts=5, window_s=3600, lockout_s=3600)


def _key(kind: str, action: str, scope: str, subject: str) -> str:
    digest = hashlib.sha256(subject.lower().encode()).hexdigest()[:32]  # no username or address in clear
    return f"{_PREFIX}{kind}:{action}:{scope}:{digest}"


class Throttle:
    """Shared counters and lockouts in Redis; subjects are (scope, value, Limit) triples."""

    def __init__(self, client: redis.Redis):
        self.client = client

    def blocked(self, action: str, subjects: list[tuple[str, str, Limit]]) -> int:
        """Seconds until every lockout of these subjects has expired; 0 when none is locked."""
        pipe = self.client.pipeline(transaction=False)
        for scope, value, _ in subjects:
            pipe.ttl(_key("lock", action, scope, value))
        left = max([ttl for ttl in pipe.execute() if ttl and ttl > 0] + [0])
        if left:
            for scope, _, _ in subjects:
                THROTTLED.labels(action, scope, "refused").inc()
        return left

    def failure(self, action: str, subjects: list[tuple[str, str, Limit]]) -> None:
        """Count one failure for each subject; lock the subjects whose limit it passes."""
        self._count(action, subjects, over=1)

    def used(self, action: str, subjects: list[tuple[str, str, Limit]]) -> None:
        """Count one use (a filed report) for each subject; the use that reaches the limit locks the next."""
        self._count(action, subjects, over=0)

    def _count(self, action: str, subjects: list[tuple[str, str, Limit]], over: int) -> None:
        pipe = self.client.pipeline(transaction=True)
        for scope, value, limit in subjects:
            key = _key("count", action, scope, value)
            pipe.incr(key)
            pipe.expire(key, limit.window_s, nx=True)
        counts = pipe.execute()[0::2]
        for (scope, value, limit), count in zip(subjects, counts):
            if int(count) >= limit.attempts + over:
                self.client.set(_key("lock", action, scope, value), "1", ex=limit.lockout_s)
                THROTTLED.labels(action, scope, "locked").inc()

    def success(self, action: str, scope: str, value: str) -> None:
        """Forget the failures of one subject (a right password clears its account's count)."""
        self.client.delete(_key("count", action, scope, value))
