"""The Redis codec: what it writes equals the shared schemas' JSON, and reads give the same records back."""

import json
from dataclasses import replace

from stagepool_shared.events.places import PlaceSchema
from stagepool_shared.events.rounds import OutcomeSchema
from stagepool_shared.events.wishes import WishSchema
from stagepool_shared.testing.samples import sample_payload

from matcher.adapters import codec
from matcher.rounds import output_hash, sha256_json


def test_outcomes_are_written_exactly_as_the_shared_schema_dumps_them_and_read_back():
    outcomes = sample_payload("round.proposed").outcomes
    written = codec.dump_outcomes(outcomes)
    for o in outcomes:
        assert json.loads(written[o.student_ref]) == OutcomeSchema().dump(o)
    assert codec.load_outcomes(v.encode() for v in written.values()) == outcomes


def test_wishes_and_places_round_trip_through_their_schemas():
    wish, place = sample_payload("wish.submitted"), sample_payload("place.posted")
    assert WishSchema().load(json.loads(codec.dump_wish(wish))) == wish
    assert codec.load_wishes([codec.dump_wish(wish).encode()]) == [wish]
    assert PlaceSchema().load(json.loads(codec.dump_place(place))) == place
    assert codec.load_places([codec.dump_place(place).encode()]) == [place]
    bare = replace(place, contact=None, reserved=[])
    assert codec.load_places([codec.dump_place(bare).encode()]) == [bare]


def test_the_output_hash_ignores_the_order_of_outcomes_but_not_their_content():
    outcomes = sample_payload("round.proposed").outcomes
    assert output_hash(outcomes) == output_hash(list(reversed(outcomes)))
    assert output_hash(outcomes) != output_hash([replace(outcomes[0], place_id="plc-other"), outcomes[1]])
    assert len(sha256_json({"b": 1, "a": [1, 2]})) == 64
