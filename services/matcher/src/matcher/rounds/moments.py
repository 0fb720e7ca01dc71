"""Moments as the matcher writes and reads them: UTC, ISO-8601 with milliseconds and a trailing Z.
Imports the standard library only."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The real clock (tests hand a `Clock` to bootstrap instead)."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """A moment in UTC, e.g. 2027-01-15T09:00:00.000Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_moment(text: str) -> datetime:
    """An ISO-8601 moment with a time zone (a trailing Z allowed); ValueError otherwise."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("a moment needs a time zone, e.g. 2027-01-15T09:00:00Z")
    return moment
