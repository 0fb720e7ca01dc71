"""One runner across N instances: a Redis lease with a fencing token, for work driven by time or by a shared
list (a release at T, reminders, answer deadlines, an outbox relay).

Every instance of a service runs the same background workers; a `Lease` lets exactly one of them do the work
at a time. The holder renews the lease before every step; an instance that dies stops renewing, and after
`ttl_s` another instance takes over. Each new holder gets the next fencing token (a counter that only grows,
`INCR` of `<name>:fence`), so any write can tell a newer holder from an older one that stalled past its
lease (docs/reliability.md, "N instances"). `leased(lease, step)` wraps a `runtime.Worker` step so that it
runs only while its instance holds the lease.

`SoleLease` is the lease of a process without Redis (unit tests with doubles): always held, token 1.
Imports redis only.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import Callable, Protocol

import redis

logger = logging.getLogger(__name__)

#: How long a holder keeps the lease without renewing it: the longest a standby waits after the holder died.
DEFAULT_TTL_S = 15.0

# KEYS[1] the lease, KEYS[2] its fencing counter; ARGV[1] owner, ARGV[2] ttl in ms.
# The value is "<token>|<owner>". Returns the token while held by the owner (renewed), else 0.
_ACQUIRE = """
local current = redis.call('GET', KEYS[1])
if current then
  local sep = string.find(current, '|', 1, true)
  if string.sub(current, sep + 1) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return tonumber(string.sub(current, 1, sep - 1))
  end
  return 0
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token .. '|' .. ARGV[1], 'PX', ARGV[2])
return token
"""

# KEYS[1] the lease; ARGV[1] owner. Deletes the lease only when this owner holds it.
_RELEASE = """
local current = redis.call('GET', KEYS[1])
if current and string.sub(current, string.find(current, '|', 1, true) + 1) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def instance_name() -> str:
    """A name for this process that no other instance has (host, pid and a random part)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class AbstractLease(Protocol):
    """What a leased worker needs: take or renew the lease (its fencing token, or 0), and give it up."""

    name: str

    def acquire(self) -> int: ...
    def release(self) -> None: ...


class Lease:
    """A named lease in Redis held by one owner at a time, with a fencing token per holder."""

    def __init__(self, client: redis.Redis, name: str, ttl_s: float = DEFAULT_TTL_S, owner: str | None = None):
        self.client = client
        self.name = name
        self.ttl_ms = int(ttl_s * 1000)
        self.owner = owner or instance_name()
        self.token = 0
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)

    @property
    def fence_key(self) -> str:
        return f"{self.name}:fence"

    def acquire(self) -> int:
        """Take the lease if it is free, renew it if this owner holds it; the fencing token, or 0 when another
        instance holds it."""
        token = int(self._acquire(keys=[self.name, self.fence_key], args=[self.owner, self.ttl_ms]))
        if token and token != self.token:
            logger.info("lease %s taken by %s with fencing token %d", self.name, self.owner, token)
        self.token = token
        return token

    def release(self) -> None:
        """Give the lease up at a clean stop, so that a standby takes over at once."""
        if self.token:
            self._release(keys=[self.name], args=[self.owner])
            self.token = 0


class SoleLease:
    """The lease of the only instance there is (no Redis: unit tests with doubles)."""

    def __init__(self, name: str = "sole"):
        self.name = name
        self.token = 1

    def acquire(self) -> int:
        return self.token

    def release(self) -> None:
        return None


def lease_for(client: object, name: str, ttl_s: float = DEFAULT_TTL_S) -> AbstractLease:
    """The lease `name` on a real Redis client; a `SoleLease` for a test double of one (unit tests)."""
    if isinstance(client, redis.Redis):
        return Lease(client, name, ttl_s)
    return SoleLease(name)


def leased(lease: AbstractLease, step: Callable[[], int]) -> Callable[[], int]:
    """A worker step that runs `step` only while this instance holds `lease` (renewed before every step);
    otherwise it reports idle (0), and the worker looks again after its interval."""

    def run() -> int:
        if not lease.acquire():
            return 0
        return step()

    run.__name__ = f"leased_{getattr(step, '__name__', 'step')}"
    return run
