"""Every Prometheus metric of the matcher (labels region and period only, never a student or organisation),
and the two implementations of the `RoundMetrics` port: on prometheus-client, and nowhere (replay).
Imports prometheus-client."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

SOLVE_SECONDS = Histogram("stagepool_matcher_solve_seconds", "Time to compute one round (solve and validate)",
                          ["region", "period"], buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120))
ROUNDS_PROPOSED = Counter("stagepool_matcher_rounds_proposed_total", "Rounds proposed", ["region", "period"])
ROUNDS_RELEASED = Counter("stagepool_matcher_rounds_released_total", "Rounds released", ["region", "period"])
STUDENTS_PLACED = Gauge("stagepool_matcher_students_placed", "Students placed in the last round proposed",
                        ["region", "period"])


class PrometheusRoundMetrics:
    """The RoundMetrics port on prometheus-client."""

    def solved(self, region_id: str, period_id: str, seconds: float, placed: int) -> None:
        SOLVE_SECONDS.labels(region_id, period_id).observe(seconds)
        ROUNDS_PROPOSED.labels(region_id, period_id).inc()
        STUDENTS_PLACED.labels(region_id, period_id).set(placed)

    def released(self, region_id: str, period_id: str) -> None:
        ROUNDS_RELEASED.labels(region_id, period_id).inc()


class NullMetrics:
    """Metrics that go nowhere (`matcher replay`: a replayed round is not a round of the platform)."""

    def solved(self, region_id: str, period_id: str, seconds: float, placed: int) -> None:
        return None

    def released(self, region_id: str, period_id: str) -> None:
        return None
