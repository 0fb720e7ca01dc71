"""The offline CLI: an instance file in the documented format in, the explained allocation out."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from solver_support import ROOT, generate

from matcher.domain.codec import round_from_dict, round_to_dict
from matcher.offline import main, schema_path

SCHEMA = json.loads((ROOT / "docs" / "instance.schema.json").read_text())


def test_a_generated_round_matches_the_schema_and_round_trips() -> None:
    rnd = generate(120, 41, exclusion_share=0.1)
    doc = json.loads(json.dumps(round_to_dict(rnd)))
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert round_from_dict(doc) == rnd
    assert schema_path() == ROOT / "docs" / "instance.schema.json"


def test_solve_writes_assignments_explanations_and_fairness(tmp_path: Path) -> None:
    inst, out = tmp_path / "round.json", tmp_path / "out.json"
    inst.write_text(json.dumps(round_to_dict(generate(150, 42))))
    assert main(["--instance", str(inst), "--out", str(out), "--lang", "en", "--validate", "full"]) == 0
    doc = json.loads(out.read_text())
    assert doc["validation"]["ok"] is True
    assert doc["summary"]["placed"] == len(doc["assignments"]) == doc["summary"]["max_flow"]
    assert len(doc["explanations"]) == 150 and all(e["text"] for e in doc["explanations"])
    assert {"worst_school_rate", "school_spread", "top1_share", "top3_share"} <= set(doc["summary"])
    assert all(0 <= g["rate"] <= 1 for g in doc["shares"])


def test_a_personal_field_is_refused_with_exit_code_2(tmp_path: Path, capsys) -> None:
    doc = round_to_dict(generate(20, 43))
    doc["wishes"][0]["name"] = "Jan"
    inst = tmp_path / "round.json"
    inst.write_text(json.dumps(doc))
    assert main(["--instance", str(inst), "--out", str(tmp_path / "out.json")]) == 2
    assert "instance refused" in capsys.readouterr().err


def test_an_inconsistent_round_is_refused_naming_the_record(tmp_path: Path, capsys) -> None:
    doc = round_to_dict(generate(20, 44))
    doc["places"][0]["slots"] = 0
    doc["places"][0]["reserved"] = [{"school_id": "SCH01", "slots": 1}]
    inst = tmp_path / "round.json"
    inst.write_text(json.dumps(doc))
    assert main(["--instance", str(inst), "--out", str(tmp_path / "out.json")]) == 2
    assert doc["places"][0]["place_id"] in capsys.readouterr().err
