"""The small-cell rule: a count under five never leaves the service as a number.

Every figure that leaves reporting (metrics, the period report, CSV, the signals endpoint) passes through
`suppress` (or a helper built on it), so one change here changes the rule everywhere. A rate is suppressed
when its denominator is a small cell, because the rate would reveal it. Imports nothing.
"""

from __future__ import annotations

MIN_CELL = 5
SUPPRESSED = "<5"


def suppress(count: int) -> int | None:
    """The count when it may be shown, None when it is a small cell (under MIN_CELL)."""
    return count if count >= MIN_CELL else None


def shown_count(count: int) -> str:
    """The count as text for reports and CSV: the number, or "<5"."""
    value = suppress(count)
    return SUPPRESSED if value is None else str(value)


def suppressed_rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, None when the denominator is a small cell."""
    if suppress(denominator) is None:
        return None
    return numerator / denominator


def shown_rate(numerator: int, denominator: int) -> str:
    """A rate as a percentage text, or "<5" when the denominator is a small cell."""
    rate = suppressed_rate(numerator, denominator)
    return SUPPRESSED if rate is None else f"{rate * 100:.1f}%"
