"""The offline matcher: `python -m matcher solve --instance FILE --out FILE` (no Kafka, no Redis).

Reads a round in the documented JSON format (docs/instance.schema.json; validated against the schema
by a compiled validator when `fastjsonschema` is installed, errors named through `jsonschema`, when installed and the schema file is found next to the repository's docs), solves it,
optionally validates it, and writes the allocation with explanations (codes plus a Dutch or English
sentence) and the fairness figures as JSON. Exit codes: 0 solved, 2 input refused: a missing or unreadable
file, malformed JSON, a value that is not an object, a schema error or InconsistentInstance, in one line on
stderr naming the file or the record by its id (`place 'p-17': slots: -2 is less than the minimum of 0`),
never a traceback; an output that cannot be written likewise. `python -m matcher schema [--out FILE]` writes
that schema, generated from the event contract (`matcher.domain.instance_schema`).
Imports matcher, orjson, msgspec and the standard library (fastjsonschema and jsonschema optional).
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import orjson

from matcher.domain.codec import round_from_dict, solution_to_dict
from matcher.domain.consistency import check_round
from matcher.domain.eligibility import Pairs
from matcher.domain.fairness import summarise
from matcher.domain.instance_schema import schema_text
from matcher.domain.model import RoundInput, Solution
from matcher.domain.tables import RoundTables, build_tables
from matcher.domain.wording import describe, relaxation_text
from matcher.errors import InconsistentInstance

logger = logging.getLogger(__name__)
SCHEMA_NAME = "instance.schema.json"
#: The record kind and id field of each list of an instance document (a schema error names the record).
RECORDS = {"wishes": ("wish", "student_ref"), "places": ("place", "place_id"),
           "exclusions": ("exclusion", "student_ref"), "fixed": ("fixed", "student_ref")}
JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean",
              type(None): "null"}
_MAX_MESSAGE = 200
#: From this size on (about 1,500 wishes) `load_instance` checks the file in a child beside the build.
CHECK_BESIDE_FROM_BYTES = 1 << 20


def schema_path() -> Path | None:
    """docs/instance.schema.json of the repository this package runs from, if there is one."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "docs" / SCHEMA_NAME
        if candidate.is_file():
            return candidate
    return None


def check_schema(doc: Any) -> None:
    """Validate an instance document against the JSON Schema; raise InconsistentInstance on the first error.

    One check: a compiled validator (`fastjsonschema`, ~20x faster than `jsonschema` on a 10k-student round)
    decides; only a document it refuses is checked again by `jsonschema` to name the first error exactly as
    before (`place 'p-17': slots: -2 is less than the minimum of 0`). Either library is optional.
    """
    path = schema_path()
    if path is None:
        logger.info("schema %s not found: instance checked by the domain rules only", SCHEMA_NAME)
        return
    compiled = _compiled(str(path))
    if compiled is not None:
        import fastjsonschema

        try:
            compiled(doc)
            return
        except fastjsonschema.JsonSchemaValueException as err:
            fast_error = ([int(p) if p.isdigit() else p for p in err.path[1:]], err.message)
    else:
        fast_error = None
    _explain_schema_error(doc, path, fast_error)


_COMPILED: dict[str, Any] = {}


def _compiled(path: str) -> Any:
    """The compiled validator of the schema file (cached), or None without fastjsonschema."""
    if path not in _COMPILED:
        try:
            import fastjsonschema
        except ImportError:
            _COMPILED[path] = None
        else:
            _COMPILED[path] = fastjsonschema.compile(json.loads(Path(path).read_text()))
    return _COMPILED[path]


def _explain_schema_error(doc: Any, path: Path, fast_error: tuple[list[Any], str] | None) -> None:
    """Name the first schema error (jsonschema's message; the compiled validator's without jsonschema)."""
    try:
        import jsonschema
    except ImportError:  # optional dependency: the domain checks still run
        if fast_error is not None:
            raise schema_refusal(doc, *fast_error) from None
        logger.info("jsonschema not installed: instance checked by the domain rules only")
        return
    validator = jsonschema.Draft202012Validator(json.loads(path.read_text()))
    error = next(iter(sorted(validator.iter_errors(doc), key=_path_key)), None)
    if error is not None:
        raise schema_refusal(doc, list(error.path), error.message)


def _path_key(error: Any) -> list[tuple[int, Any]]:
    """Sort key of a schema error: its JSON path, list positions numerically (never int against str)."""
    return [(0, p) if isinstance(p, int) else (1, str(p)) for p in error.path]


def schema_refusal(doc: dict[str, Any], path: list[Any], message: str) -> InconsistentInstance:
    """A schema error as a refusal naming the record by its id: `place 'p-17': slots: ...`.

    `path` is the JSON path of the failing value; a value of a wish, place, exclusion or fixed placement
    is named by that record's id (its position when it has none), anything else by the round's id.
    """
    if len(message) > _MAX_MESSAGE:
        message = message[:_MAX_MESSAGE] + "..."
    message = " ".join(message.split())
    kind, id_field = RECORDS.get(str(path[0]), (None, None)) if len(path) >= 2 else (None, None)
    if kind is None or not isinstance(path[1], int):
        field_path = "/".join(str(p) for p in path)
        return InconsistentInstance("round", str(doc.get("round_id", "?")),
                                    f"{field_path}: {message}" if field_path else message)
    record = doc[path[0]][path[1]]
    rid = record.get(id_field) if isinstance(record, dict) else None
    rid = str(rid) if isinstance(rid, str) and rid else f"#{path[1] + 1}"
    field_path = "/".join(str(p) for p in path[2:])
    return InconsistentInstance(kind, rid, f"{field_path}: {message}" if field_path else message)


def read_text(path: str | Path) -> str:
    """The instance file's text; InconsistentInstance naming the file when it is missing or unreadable."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InconsistentInstance("file", str(path), "no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise InconsistentInstance("file", str(path), f"cannot be read ({type(err).__name__}: {err.args[-1]})") from None


def parse_document(path: str | Path, text: str) -> dict[str, Any]:
    """The instance file's text as a JSON object; InconsistentInstance naming the file when it is not JSON or
    not an object."""
    try:
        doc = _parse(text)
    except json.JSONDecodeError as err:
        raise InconsistentInstance("file", str(path),
                                   f"not valid JSON: {err.msg} at line {err.lineno} column {err.colno}") from None
    if not isinstance(doc, dict):
        raise InconsistentInstance("file", str(path),
                                   f"the instance must be a JSON object, not {JSON_KINDS.get(type(doc), 'a value')}")
    return doc


def _parse(text: str) -> Any:
    """orjson (fast) decides; a text it refuses is parsed again by json for the usual message."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def load_instance(path: str | Path) -> tuple[RoundInput, RoundTables, Pairs | None]:
    """Read, parse, schema-check, convert and consistency-check an instance file; the round, its canonical
    tables and, for a large file, its eligible pairs (None: the solve computes them).

    From CHECK_BESIDE_FROM_BYTES on, a child forked right after the file is read parses its own copy and runs
    the checks (the schema, then the round's own consistency check on the codec's conversion) while this process
    decodes the round straight from the text (`decoded_round`) and builds the tables and eligible pairs
    (`prepare.check_beside`). Forked before either parses, the child shares no parsed document with this
    process, so neither copies the other's pages when it touches them. At 10,000 students the load went from
    0.51-0.59 s to 0.38-0.40 s this way: the fork after the parse cost 0.02-0.03 s, orjson and the codec took
    0.11 s against msgspec's 0.05-0.06 s, and the tables took 0.02-0.04 s longer on the codec's round. The
    child's refusal comes first, the schema's before the round's, as when they ran first, and nothing is solved
    before both have passed.
    """
    from matcher.solver import prepare

    text = read_text(path)
    if len(text) < CHECK_BESIDE_FROM_BYTES:
        doc = parse_document(path, text)
        check_schema(doc)
        rnd = _round_of(doc)
        check_round(rnd)
        return rnd, build_tables(rnd), None
    return prepare.check_beside(lambda: _checked(parse_document(path, text)), lambda: _built(path, text), 2)


def _checked(doc: dict[str, Any]) -> None:
    """The schema check, then the round's consistency check (both raise InconsistentInstance)."""
    check_schema(doc)
    check_round(_round_of(doc))


def _built(path: str | Path, text: str) -> tuple[RoundInput, RoundTables, Pairs]:
    """The round straight from the text (`decoded_round`; the codec's conversion when that refuses it), its
    tables and eligible pairs: the build beside the checks, which never decides what is refused."""
    from matcher.solver.prepare import tables_and_pairs

    rnd = decoded_round(text) or _round_of(parse_document(path, text))
    return (rnd, *tables_and_pairs(rnd))


@functools.cache
def _round_decoder() -> msgspec.json.Decoder:
    return msgspec.json.Decoder(RoundInput)


def decoded_round(text: str) -> RoundInput | None:
    """The instance text decoded by msgspec straight into the round's records, or None when msgspec refuses it.

    On a document the schema and the codec take, the round is the codec's (`round_from_dict`; a test holds them
    equal on generated rounds), built without a dict per record first: at 10,000 students 0.05-0.06 s against
    0.11 s for orjson and the codec, and the tables built on it 0.02-0.04 s sooner. It checks less than they do
    (unknown fields pass, `2.0` is no integer to it), so it is only the build's: what is refused is decided by
    the schema and the codec beside it, and anything msgspec refuses is converted by the codec as before.
    """
    try:
        return _round_decoder().decode(text)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None


def _round_of(doc: dict[str, Any]) -> RoundInput:
    try:
        return round_from_dict(doc)
    except (TypeError, ValueError, KeyError, AttributeError) as err:  # only without jsonschema: values unchecked
        raise InconsistentInstance("round", str(doc.get("round_id", "?")),
                                   f"malformed value ({type(err).__name__}: {err})") from None


def solution_document(rnd: RoundInput, sol: Solution, lang: str = "nl", report: Any = None) -> dict[str, Any]:
    """The output document: summary, assignments, explanations with sentences, shares, penalties (records as
    dataclasses: for orjson, see `solution_to_dict`)."""
    doc = solution_to_dict(sol)
    doc["explanations"] = [{**vars(e), "text": describe(e, lang),
                            "relaxation_texts": [relaxation_text(r, lang) for r in e.relaxations]}
                           for e in sol.explanations]
    with_top = {w.student_ref for w in rnd.wishes if w.top_places}
    ranks = {a.student_ref: a.wish_rank for a in sol.assignments}
    doc["summary"] = {
        "students": sol.stats.students, "placed": sol.stats.placed, "max_flow": sol.stats.max_flow,
        "unplaced": sol.stats.students - sol.stats.placed, "released_slots": sol.stats.released_slots,
        "top1_share": _share(ranks, with_top, ("top-1",)), "top3_share": _share(ranks, with_top, ("top-1", "top-2", "top-3")),
        **summarise(sol.shares).as_dict(),
    }
    if report is not None:
        doc["validation"] = {"ok": report.ok, "problems": list(report.problems), "max_flow": report.max_flow,
                             "fair_bound": list(report.fair_bound) if report.fair_bound else None}
    return doc


def _share(ranks: dict[str, str], with_top: set[str], wanted: tuple[str, ...]) -> float:
    """Share of students with a top-3 list who got one of `wanted`."""
    return round(sum(1 for r in with_top if ranks.get(r) in wanted) / len(with_top), 6) if with_top else 0.0


def solve_file(instance_path: str | Path, out_path: str | Path, lang: str = "nl", validate: str = "none") -> Solution:
    """Solve one instance file and write the result document; returns the Solution."""
    from matcher.solver import solve

    rnd, tables, pairs = load_instance(instance_path)
    sol = solve(rnd, tables, pairs)
    report = None
    if validate != "skip":
        from matcher.solver.validation import validate as run_validation

        report = run_validation(rnd, sol, fairness=validate, tables=tables, pairs=pairs)
    doc = solution_document(rnd, sol, lang, report)
    Path(out_path).write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))  # UTF-8, ~10x json.dumps
    logger.info("round %s: %d of %d placed, written to %s", sol.round_id, sol.stats.placed, sol.stats.students, out_path)
    return sol


def main(argv: Sequence[str] | None = None) -> int:
    """`solve --instance FILE --out FILE [--lang nl|en] [--validate skip|none|bound|full]`."""
    parser = argparse.ArgumentParser(prog="matcher solve", description="Solve one round offline.")
    parser.add_argument("--instance", required=True, help="round in the format of docs/instance.schema.json")
    parser.add_argument("--out", required=True, help="where to write the allocation (JSON)")
    parser.add_argument("--lang", default="nl", choices=("nl", "en"))
    parser.add_argument("--validate", default="none", choices=("skip", "none", "bound", "full"))
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    from matcher.solver.heap import gc_paused

    try:
        with gc_paused():  # one round in this process: the collector would only walk the round's heap again
            sol = solve_file(args.instance, args.out, args.lang, args.validate)
    except InconsistentInstance as err:
        print(f"instance refused: {' '.join(str(err).split())}", file=sys.stderr)
        return 2
    except OSError as err:  # the instance was read: only the output can fail here
        print(f"cannot write {args.out}: {err.strerror or err}", file=sys.stderr)
        return 2
    print(f"{sol.round_id}: placed {sol.stats.placed} of {sol.stats.students} -> {args.out}")
    return 0


def schema_main(argv: Sequence[str] | None = None) -> int:
    """`schema [--out FILE]`: the instance JSON Schema, generated from the event contract."""
    parser = argparse.ArgumentParser(prog="matcher schema", description="Write the instance JSON Schema.")
    parser.add_argument("--out", help="where to write it (default: standard output), e.g. docs/instance.schema.json")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.out:
        try:
            Path(args.out).write_text(schema_text(), encoding="utf-8")
        except OSError as err:
            print(f"cannot write {args.out}: {err.strerror or err}", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(schema_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
