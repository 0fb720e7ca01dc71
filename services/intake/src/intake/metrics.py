"""Every Prometheus metric of intake (served by /metrics). Labels are of low cardinality: never an id."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

EVENTS_ACCEPTED = Counter(
    "stagepool_intake_events_accepted_total", "Events acknowledged by Kafka and answered 202", ["event_type"])
IMPORT_ROWS = Counter(
    "stagepool_intake_import_rows_total", "Rows of import files", ["kind", "outcome"])
IMPORT_SECONDS = Histogram(
    "stagepool_intake_import_seconds", "Time to validate, publish and store one import file", ["kind"],
    buckets=(0.5, 1, 2, 5, 10, 20, 40, 80, 160))
FORBIDDEN_FIELDS = Counter(
    "stagepool_intake_forbidden_fields_total", "Requests refused for a personal-characteristic field", ["source"])
