"""The deadline reminders' marks in Redis (issue 15.4): one hash per student, `<prefix>:deadline:<ref>`, field
`<period>:<deadline>:<lead>h` -> the moment it was claimed (epoch seconds, for an operator
reading the hash).

A claim is one Lua call: HSETNX (only the first of any number of instances wins), and the hash's expiry is
moved out to the claim's `keep_until` (the deadline plus NOTIFIER_RETENTION_DAYS) when that is later, so the
marks follow the notifier's retention without a sweep. `student.erased` deletes the hash with the student's
other keys (RedisStore.erase_student). Imports redis and the ports.
"""

from __future__ import annotations

import time

import redis

from ..ports import AbstractDeadlineMarks

_CLAIM = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
local expires = redis.call('EXPIRETIME', KEYS[1])
if expires < tonumber(ARGV[3]) then redis.call('EXPIREAT', KEYS[1], ARGV[3]) end
return 1
"""


def marks_key(prefix: str, student_ref: str) -> str:
    """The hash of one student's deadline reminders."""
    return f"{prefix}:deadline:{student_ref}"


class RedisDeadlineMarks(AbstractDeadlineMarks):
    """Claims and releases of deadline reminders, atomic across instances."""

    def __init__(self, client: redis.Redis, prefix: str = "notifier"):
        self.client = client
        self.prefix = prefix
        self._claim = client.register_script(_CLAIM)

    def claim(self, student_ref: str, mark: str, keep_until: float) -> bool:
        return bool(self._claim(keys=[marks_key(self.prefix, student_ref)],
                                args=[mark, int(time.time()), int(keep_until)]))

    def release(self, student_ref: str, mark: str) -> None:
        self.client.hdel(marks_key(self.prefix, student_ref), mark)
