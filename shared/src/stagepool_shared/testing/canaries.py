"""Canary checks for the tests: where a canary (a made-up name, e-mail address or phone number) may not show
up. `stored_bytes` reads every key under a pattern of a real Redis, whatever its type, so a test can assert
that a service keeps no personal data. Imports redis only."""

from __future__ import annotations

from typing import Iterable

import redis


def stored_bytes(client: redis.Redis, pattern: str) -> bytes:
    """The names and every value of the keys matching `pattern` (strings, hashes, lists, sets, sorted sets)."""
    parts: list[bytes] = []
    for key in client.scan_iter(match=pattern, count=1000):
        parts.append(key)
        kind = client.type(key)
        if kind == b"string":
            parts.append(client.get(key) or b"")
        elif kind == b"hash":
            parts.extend(k + b"=" + v for k, v in client.hgetall(key).items())
        elif kind == b"list":
            parts.extend(client.lrange(key, 0, -1))
        elif kind == b"set":
            parts.extend(client.smembers(key))
        elif kind == b"zset":
            parts.extend(client.zrange(key, 0, -1))
    return b"\n".join(parts)


def found(canaries: Iterable[str], *texts: bytes | str) -> list[str]:
    """The canaries that occur in any of `texts` (an empty list is the pass)."""
    haystack = [t.encode() if isinstance(t, str) else t for t in texts]
    return [c for c in canaries if any(c.encode() in h for h in haystack)]
