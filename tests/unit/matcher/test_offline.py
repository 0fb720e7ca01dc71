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


def _refusal(tmp_path: Path, capsys, text: str | None) -> str:
    """Run `solve` on a file holding `text` (None: no file at all); the one line it writes on stderr."""
    inst = tmp_path / "round.json"
    if text is not None:
        inst.write_text(text)
    assert main(["--instance", str(inst), "--out", str(tmp_path / "out.json")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "out.json").exists()
    return err.strip()


def test_a_missing_file_is_refused_in_one_line(tmp_path: Path, capsys) -> None:
    err = _refusal(tmp_path, capsys, None)
    assert err == f"instance refused: file {str(tmp_path / 'round.json')!r}: no such file"


def test_malformed_json_is_refused_in_one_line_naming_the_position(tmp_path: Path, capsys) -> None:
    err = _refusal(tmp_path, capsys, '{"round_id": "r1",\n "wishes": [}')
    assert err.startswith("instance refused: file ") and "round.json': not valid JSON: " in err
    assert err.endswith("at line 2 column 13")


def test_a_json_value_that_is_not_an_object_is_refused(tmp_path: Path, capsys) -> None:
    for text, kind in (("[1, 2]", "an array"), ('"round"', "a string"), ("7", "a number"), ("null", "null")):
        err = _refusal(tmp_path, capsys, text)
        assert err.startswith("instance refused: file ")
        assert err.endswith(f"round.json': the instance must be a JSON object, not {kind}")


def test_a_schema_error_names_the_record_by_its_id(tmp_path: Path, capsys) -> None:
    doc = round_to_dict(generate(20, 45))
    doc["places"][3]["slots"] = -2
    err = _refusal(tmp_path, capsys, json.dumps(doc))
    pid = doc["places"][3]["place_id"]
    assert err == f"instance refused: place {pid!r}: slots: -2 is less than the minimum of 0"


def test_a_schema_error_in_a_nested_field_or_a_wish_names_the_record(tmp_path: Path, capsys) -> None:
    doc = round_to_dict(generate(20, 46))
    doc["wishes"][5]["home"]["lat"] = "north"
    err = _refusal(tmp_path, capsys, json.dumps(doc))
    ref = doc["wishes"][5]["student_ref"]
    assert err == f"instance refused: wish {ref!r}: home/lat: 'north' is not of type 'number'"


def test_a_schema_error_of_the_round_itself_names_the_round(tmp_path: Path, capsys) -> None:
    doc = round_to_dict(generate(20, 47))
    doc["wishes"] = {"not": "a list"}
    err = _refusal(tmp_path, capsys, json.dumps(doc))
    assert err.startswith(f"instance refused: round {doc['round_id']!r}: wishes: ") and "is not of type 'array'" in err


def test_an_output_that_cannot_be_written_is_refused_in_one_line(tmp_path: Path, capsys) -> None:
    inst = tmp_path / "round.json"
    inst.write_text(json.dumps(round_to_dict(generate(20, 48))))
    assert main(["--instance", str(inst), "--out", str(tmp_path / "missing-dir" / "out.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cannot write ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_schema_that_cannot_be_written_is_refused_in_one_line(tmp_path: Path, capsys) -> None:
    from matcher.offline import schema_main

    assert schema_main(["--out", str(tmp_path / "missing-dir" / "schema.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cannot write ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_without_jsonschema_a_malformed_value_is_still_refused_naming_the_round(tmp_path: Path, capsys,
                                                                                monkeypatch) -> None:
    import matcher.offline as offline

    monkeypatch.setattr(offline, "schema_path", lambda: None)  # as when the schema file is not found
    doc = round_to_dict(generate(20, 49))
    doc["exclusions"] = ["not-an-object"]
    err = _refusal(tmp_path, capsys, json.dumps(doc))
    assert err.startswith(f"instance refused: round {doc['round_id']!r}: ")


def test_a_valid_round_is_schema_checked_once_by_the_compiled_validator(monkeypatch) -> None:
    # issue 17.4: the JSON Schema check alone took 5.0 s at 10k students; the compiled validator decides and
    # jsonschema (slow) only names the error of a document the compiled one refused
    from matcher import offline

    calls = []
    monkeypatch.setattr(jsonschema, "Draft202012Validator", lambda *a, **k: calls.append(a) or (_ for _ in ()).throw(
        AssertionError("jsonschema must not run on a valid document")))
    offline.check_schema(json.loads(json.dumps(round_to_dict(generate(200, 43)))))
    assert calls == []
    bad = json.loads(json.dumps(round_to_dict(generate(50, 44))))
    bad["places"][0]["slots"] = -2
    monkeypatch.undo()
    try:
        offline.check_schema(bad)
    except Exception as err:  # noqa: BLE001 - the refusal names the place by its id, as before
        assert f"place '{bad['places'][0]['place_id']}': slots: -2 is less than the minimum of 0" in str(err)
    else:
        raise AssertionError("a negative slot count passed the schema check")


def test_the_fast_solution_document_equals_the_dataclass_conversion() -> None:
    # issue 17.4: the CLI's output conversion no longer deep-copies through dataclasses.asdict: orjson
    # writes the records, and what it writes is the JSON of their dataclass conversion
    from dataclasses import asdict

    import orjson

    from matcher.domain import codec
    from matcher.solver import solve

    sol = solve(generate(300, 45, support_share=0.3))
    doc = orjson.loads(orjson.dumps(codec.solution_to_dict(sol)))
    assert any(e["relaxations"] for e in doc["explanations"])  # nested records are written too
    assert doc["explanations"] == [codec._plain(asdict(e)) for e in sol.explanations]
    assert doc["assignments"] == [codec._plain(asdict(a)) for a in sol.assignments]
    assert doc["shares"] == [dict(codec._plain(asdict(g)), rate=round(g.rate, 6)) for g in sol.shares]
    assert doc["penalties"] == [codec._plain(asdict(p)) for p in sol.penalties]


def test_records_read_by_the_codec_equal_those_built_by_their_constructors() -> None:
    # issue 17.4: the codec fills a wish's and a place's fields at once, without the dataclass __init__
    from dataclasses import fields

    from matcher.domain.model import Place, Wish

    doc = round_to_dict(generate(200, 46, support_share=0.3))
    doc["places"][0].pop("reserved")  # an optional field left out: the constructor's default
    doc["places"][1]["reserved"] = [{"school_id": doc["wishes"][0]["school_id"], "slots": 1}]
    rnd = round_from_dict(doc)
    assert any(p.reserved for p in rnd.places)
    for record in (*rnd.wishes, *rnd.places):
        built = type(record)(**{f.name: getattr(record, f.name) for f in fields(record)})
        assert record == built and hash(record) == hash(built)
        assert vars(record) == vars(built)  # the same fields, each a tuple where the constructor makes one
    assert all(isinstance(w.activities, tuple) for w in rnd.wishes) and isinstance(rnd.places[0].reserved, tuple)
    assert isinstance(rnd.wishes[0], Wish) and isinstance(rnd.places[0], Place)


def test_with_the_schema_check_in_a_child_a_refusal_and_a_round_are_those_of_one_process(tmp_path: Path, capsys,
                                                                                         monkeypatch) -> None:
    from matcher import offline
    from matcher.solver import fork

    forked = []
    real = fork._Child.__init__
    monkeypatch.setattr(fork._Child, "__init__", lambda self, fn: forked.append(fn) or real(self, fn))
    monkeypatch.setattr(offline, "CHECK_BESIDE_FROM_BYTES", 1)
    doc = round_to_dict(generate(20, 45))
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc))
    assert offline.load_instance(good)[0] == round_from_dict(json.loads(json.dumps(doc)))
    doc["places"][3]["slots"] = -2  # the schema refuses it; the conversion alone would take it
    err = _refusal(tmp_path, capsys, json.dumps(doc))
    assert err == f"instance refused: place {doc['places'][3]['place_id']!r}: slots: -2 is less than the minimum of 0"
    doc["places"][3]["slots"] = 2
    doc["wishes"][0]["level"] = "two"  # both refuse it: the schema's refusal, as when it ran first
    err = _refusal(tmp_path, capsys, json.dumps(doc))
    assert err == f"instance refused: wish {doc['wishes'][0]['student_ref']!r}: level: 'two' is not of type 'integer'"
    doc["wishes"][0]["level"] = 2
    doc["places"][4]["place_id"] = doc["places"][3]["place_id"]  # the schema takes it, the round's check (in the child) not
    err = _refusal(tmp_path, capsys, json.dumps(doc))
    assert err == f"instance refused: place {doc['places'][3]['place_id']!r}: duplicate place id"
    assert len(forked) == 4


def test_the_round_decoded_straight_from_the_text_is_the_codecs_round(tmp_path: Path) -> None:
    from matcher import offline

    for seed in range(47, 53):  # exclusions, fixed placements, reservations; optional fields left out or not
        doc = round_to_dict(generate(60 + seed, seed, support_share=0.3, exclusion_share=0.15))
        doc["places"][0]["reserved"] = [{"school_id": doc["wishes"][0]["school_id"], "slots": 1}]
        doc["fixed"] = [{"student_ref": doc["wishes"][1]["student_ref"], "place_id": doc["places"][2]["place_id"]}]
        if seed % 2:
            doc.pop("seed"), doc.pop("exclusions"), doc.pop("fixed")
            doc["places"][1].pop("reserved")
        text = json.dumps(doc)
        assert offline.decoded_round(text) == round_from_dict(json.loads(text))
        assert offline._built(tmp_path / "round.json", text)[0] == round_from_dict(json.loads(text))


def test_a_document_msgspec_refuses_is_built_by_the_codec(tmp_path: Path) -> None:
    from matcher import offline

    doc = round_to_dict(generate(30, 53))
    doc["wishes"][0]["level"] = 2.0  # an integer to JSON Schema, not to msgspec
    text = json.dumps(doc)
    assert offline.decoded_round(text) is None and offline.decoded_round("[1,") is None
    rnd = offline._built(tmp_path / "round.json", text)[0]
    assert rnd == round_from_dict(json.loads(text)) and rnd.wishes[0].level == 2
