"""The Redis codec: what it writes equals the shared schemas' JSON, and reads give the same records back."""

import json
from dataclasses import replace

from stagepool_shared.events.places import PlaceSchema
from stagepool_shared.events.rounds import OutcomeSchema
from stagepool_shared.events.wishes import WishSchema
from stagepool_shared.testing.samples import sample_payload

from matcher.adapters import codec
from matcher.rounds.manifest import canonical_json, output_hash, sha256_json


def test_outcomes_are_written_exactly_as_the_shared_schema_dumps_them_and_read_back():
    outcomes = sample_payload("round.proposed").outcomes
    written = codec.dump_outcomes(outcomes)
    for o in outcomes:
        assert json.loads(written[o.student_ref]) == OutcomeSchema().dump(o)
    assert codec.load_outcomes(written.values()) == outcomes


def test_wishes_and_places_round_trip_through_their_schemas():
    wish, place = sample_payload("wish.submitted"), sample_payload("place.posted")
    assert WishSchema().load(json.loads(codec.dump_wish(wish))) == wish
    assert codec.load_wishes([codec.dump_wish(wish)]) == [wish]
    assert PlaceSchema().load(json.loads(codec.dump_place(place))) == place
    assert codec.load_places([codec.dump_place(place)]) == [place]
    bare = replace(place, reserved=[])
    assert codec.load_places([codec.dump_place(bare)]) == [bare]


def test_a_place_is_stored_without_a_contact_person_and_an_older_record_with_one_reads_without_it():
    place = sample_payload("place.posted")
    assert b"contact" not in codec.dump_place(place)  # issue 19.4: the contact person stays in intake
    older = json.loads(codec.dump_place(place)) | {"contact": {"name": "CANARY", "email": "c@x.example"}}
    assert codec.load_places([json.dumps(older).encode()]) == [place]


def test_the_output_hash_ignores_the_order_of_outcomes_but_not_their_content():
    outcomes = sample_payload("round.proposed").outcomes
    assert output_hash(outcomes) == output_hash(list(reversed(outcomes)))
    assert output_hash(outcomes) != output_hash([replace(outcomes[0], place_id="plc-other"), outcomes[1]])
    assert len(sha256_json({"b": 1, "a": [1, 2]})) == 64


def test_canonical_json_is_the_standard_librarys_sorted_compact_utf8_spelling():
    """The manifest hashes stay reproducible with any JSON library: sorted keys (dataclass fields too),
    compact separators, UTF-8 text, shortest float spelling, sets sorted."""
    outcomes = sample_payload("round.proposed").outcomes
    value = {"z": outcomes, "a": [1.5, 1e16, 0.1 + 0.2, -0.0], "é": "Zorggroep Ëlst – 's-Hertogenbosch",
             "set": {"b", "a"}, "nested": {"y": None, "x": True}}
    plain = {**value, "z": [{**vars(o), "hints": [vars(h) for h in o.hints]} for o in outcomes],
             "set": ["a", "b"]}
    expected = json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert canonical_json(value) == expected
