"""docs/instance.schema.json is generated from the event contract, and says what the consistency check does."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from solver_support import ROOT, generate

from matcher.domain.codec import round_from_dict, round_to_dict
from matcher.domain.consistency import PLACE_CHECKS, WISH_CHECKS, check_round
from matcher.domain.instance_schema import instance_schema, schema_text
from matcher.errors import InconsistentInstance
from matcher.__main__ import main as matcher_main

SCHEMA_FILE = ROOT / "docs" / "instance.schema.json"
VALIDATOR = jsonschema.Draft202012Validator(instance_schema())

#: One value out of the solver's bounds for every checked field: (record list, field, value).
OUT_OF_BOUNDS = [
    ("wishes", "student_ref", ""),
    ("wishes", "crebo", "2548"),
    ("wishes", "level", 5),
    ("wishes", "study_year", -1),
    ("wishes", "pathway", "hbo"),
    ("wishes", "home.pc4", "123"),
    ("wishes", "home.lat", 90.5),
    ("wishes", "home.lon", -180.5),
    ("wishes", "max_travel_minutes", 241),
    ("wishes", "transport_mode", "plane"),
    ("wishes", "age_at_start", 121),
    ("wishes", "top_places", ["P000001", "P000001"]),
    ("places", "place_id", ""),
    ("places", "location.pc4", "12345"),
    ("places", "location.lat", -91.0),
    ("places", "location.lon", 181.0),
    ("places", "crebos", ["2548"]),
    ("places", "levels", [0]),
    ("places", "slots", -1),
    ("places", "supervision_capacity", -1),
    ("places", "min_age", -1),
    ("places", "pathways", ["hbo"]),
    ("places", "study_years", [5]),
    ("places", "reserved", [{"school_id": "S", "slots": -1}]),
]


def test_the_committed_schema_is_the_one_generated_from_the_contract() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "docs/instance.schema.json differs from the event contract: run "
        "`python -m matcher schema --out docs/instance.schema.json`")


def test_the_generated_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(instance_schema())


def test_python_m_matcher_schema_writes_the_generated_schema(tmp_path, capsys) -> None:
    assert matcher_main(["schema", "--out", str(tmp_path / "schema.json")]) == 0
    assert (tmp_path / "schema.json").read_text(encoding="utf-8") == schema_text()
    assert matcher_main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == instance_schema()


def test_every_bound_the_consistency_check_tests_has_a_case_here() -> None:
    checked = {("wishes", c.path) for c in WISH_CHECKS} | {("places", c.path) for c in PLACE_CHECKS}
    assert checked == {(records, path) for records, path, _ in OUT_OF_BOUNDS}


@pytest.mark.parametrize("records, path, value", OUT_OF_BOUNDS, ids=[f"{r}.{p}" for r, p, _ in OUT_OF_BOUNDS])
def test_the_schema_and_the_consistency_check_refuse_the_same_values(records: str, path: str, value) -> None:
    doc = round_to_dict(generate(40, 5))
    assert not list(VALIDATOR.iter_errors(doc))
    check_round(round_from_dict(copy.deepcopy(doc)))
    record = doc[records][3]
    *parents, name = path.split(".")
    for parent in parents:
        record = record[parent]
    record[name] = value
    assert list(VALIDATOR.iter_errors(doc))
    with pytest.raises(InconsistentInstance) as err:
        check_round(round_from_dict(doc))
    kind, ident = {"wishes": ("wish", "student_ref"), "places": ("place", "place_id")}[records]
    assert (err.value.record_type, err.value.record_id) == (kind, doc[records][3][ident])
    assert path.split(".")[0] in err.value.reason
