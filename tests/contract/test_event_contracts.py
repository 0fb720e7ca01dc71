"""Every event schema round-trips, matches its pinned golden JSON, and the catalogue is consistent.

A failing golden test means a wire-format change: bump the schema version (consumers accept N and N-1)
instead of editing the golden file, unless the change is additive and optional.
Regenerate deliberately with: STAGEPOOL_WRITE_GOLDEN=1 pytest tests/contract
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from stagepool_shared import registry, topics
from stagepool_shared.envelope import new_envelope
from stagepool_shared.errors import InvalidEvent
from stagepool_shared.testing.samples import sample_payload

GOLDEN = Path(__file__).parent / "golden"
EVENT_TYPES = sorted({spec.event_type for spec in registry.all_specs()})
FIXED = dict(event_id="00000000-0000-4000-8000-000000000001", occurred_at="2027-01-15T09:00:00.000Z",
             correlation_id="00000000-0000-4000-8000-000000000001")


def sample_envelope(event_type: str):
    return new_envelope(event_type, sample_payload(event_type), producer="contract-test",
                        partition_key="reg-groningen", **FIXED)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_event_round_trips_to_an_equal_envelope(event_type):
    envelope = sample_envelope(event_type)
    decoded = registry.decode(registry.encode(envelope))
    assert decoded == envelope


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_event_matches_its_pinned_golden_json(event_type):
    path = GOLDEN / f"{event_type}.v1.json"
    actual = registry.to_dict(sample_envelope(event_type))
    if os.environ.get("STAGEPOOL_WRITE_GOLDEN") == "1":
        path.write_text(json.dumps(actual, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    assert path.exists(), f"no golden sample for {event_type}: run with STAGEPOOL_WRITE_GOLDEN=1 once"
    golden = json.loads(path.read_text())
    assert actual == golden
    assert registry.from_dict(golden) == sample_envelope(event_type)


def test_the_catalogue_has_no_duplicate_event_and_every_topic_is_declared():
    keys = [(s.event_type, s.schema_version) for s in registry.all_specs()]
    assert len(keys) == len(set(keys))
    for item in registry.all_specs():
        assert item.topic in topics.ALL_TOPICS or item.event_type == "dead_letter"


def test_the_v1_catalogue_holds_every_event_the_platform_needs():
    needed = {"wish.submitted", "wish.updated", "wish.withdrawn", "wish.opted_out", "place.posted", "place.updated",
              "place.withdrawn", "student.erased", "round.requested", "round.proposed", "round.approved",
              "round.released", "placement.accepted", "placement.refused", "placement.failed",
              "notification.sent", "notification.failed", "desk.report_filed", "desk.report_status_changed",
              "dead_letter"}
    assert needed <= set(EVENT_TYPES)


def test_consumers_read_tolerantly_and_ignore_unknown_payload_fields():
    data = registry.to_dict(sample_envelope("wish.submitted"))
    data["payload"]["added_in_a_later_minor"] = "x"
    assert registry.from_dict(data).payload == sample_payload("wish.submitted")


def test_an_outcome_from_before_named_places_was_recorded_still_reads():
    data = registry.to_dict(sample_envelope("round.proposed"))
    for outcome in data["payload"]["outcomes"]:
        outcome.pop("named_places")
    assert [o.named_places for o in registry.from_dict(data).payload.outcomes] == [False, False]


def test_a_hint_from_before_free_places_was_recorded_still_reads_and_a_count_round_trips():
    data = registry.to_dict(sample_envelope("round.proposed"))
    hinted = [o for o in data["payload"]["outcomes"] if o["hints"]]
    for outcome in hinted:
        for hint in outcome["hints"]:
            hint.pop("free_places")
    assert hinted and all(h.free_places is None for o in registry.from_dict(data).payload.outcomes for h in o.hints)
    hinted[0]["hints"][0]["free_places"] = 2
    decoded = registry.from_dict(data).payload.outcomes
    assert [h.free_places for o in decoded for h in o.hints][0] == 2


def test_no_place_event_carries_the_organisations_contact_person():
    """Issue 19.4: a place's contact person (name, e-mail, phone) stays in intake, like a student's data."""
    personal = {"contact", "name", "email", "phone", "contact_name", "contact_email", "contact_phone"}
    for item in registry.all_specs():
        if item.event_type.startswith("place."):
            assert not set(item.schema().fields) & personal, item.event_type


def test_a_place_event_from_before_the_contact_left_it_still_reads_and_drops_the_contact():
    data = registry.to_dict(sample_envelope("place.posted"))
    data["payload"]["contact"] = {"name": "CANARY-Contact", "email": "canary@contact.example", "phone": "050 1"}
    decoded = registry.from_dict(data)
    assert decoded.payload == sample_payload("place.posted")
    assert "CANARY" not in repr(decoded) and "canary@" not in registry.encode(decoded).decode()


@pytest.mark.parametrize("mutate, reason", [
    (lambda d: d.pop("event_id"), "invalid envelope"),
    (lambda d: d.update(event_type="wish.exploded"), "unknown event type"),
    (lambda d: d.update(schema_version=9), "unknown event type"),
    (lambda d: d["payload"].update(level="4"), "invalid wish.submitted payload"),
    (lambda d: d["payload"].pop("student_ref"), "invalid wish.submitted payload"),
])
def test_an_invalid_event_is_refused_with_a_reason(mutate, reason):
    data = registry.to_dict(sample_envelope("wish.submitted"))
    mutate(data)
    with pytest.raises(InvalidEvent, match=reason):
        registry.from_dict(data)


@pytest.mark.parametrize("raw", [b"", b"\xff\xfe", b"[1,2]", b"not json", b"[" * 5000, None])
def test_undecodable_bytes_are_refused_not_raised_as_crashes(raw):
    with pytest.raises(InvalidEvent):
        registry.decode(raw)


def test_a_producer_cannot_encode_an_invalid_payload():
    from dataclasses import replace
    bad = replace(sample_payload("wish.submitted"), level=7)
    with pytest.raises(InvalidEvent, match="outgoing wish.submitted"):
        registry.encode(new_envelope("wish.submitted", bad, producer="t", partition_key="r"))


def test_no_event_schema_has_a_field_for_a_personal_characteristic():
    forbidden = {"name", "first_name", "last_name", "email", "phone", "address", "date_of_birth", "birth_date",
                 "gender", "nationality", "origin", "religion", "photo", "marital_status", "bsn"}
    student_events = [s for s in registry.all_specs() if not s.event_type.startswith(("place.", "dead_letter"))]
    for item in student_events:
        names = set(item.schema().fields)
        assert not names & forbidden, f"{item.event_type} has {names & forbidden}"


def test_docs_events_md_lists_every_topic_and_event():
    text = (Path(__file__).resolve().parents[2] / "docs/events.md").read_text()
    for name in topics.ALL_TOPICS:
        assert f"`{name}`" in text, f"docs/events.md does not list topic {name}"
    for event_type in EVENT_TYPES:
        assert f"`{event_type}`" in text, f"docs/events.md does not list event {event_type}"
    for group in topics.ALL_GROUPS:
        assert group.group_id.removeprefix("stagepool-") in text
