"""The offline matcher: `python -m matcher solve --instance FILE --out FILE` (no Kafka, no Redis).

Reads a round in the documented JSON format (docs/instance.schema.json; validated against the schema
when `jsonschema` is installed and the schema file is found next to the repository's docs), solves it,
optionally validates it, and writes the allocation with explanations (codes plus a Dutch or English
sentence) and the fairness figures as JSON. Exit codes: 0 solved, 2 input refused (schema or
InconsistentInstance, message on stderr). `python -m matcher schema [--out FILE]` writes that schema,
generated from the event contract (`matcher.domain.instance_schema`).
Imports matcher and the standard library (jsonschema optional).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matcher.domain.codec import round_from_dict, solution_to_dict
from matcher.domain.fairness import summarise
from matcher.domain.instance_schema import schema_text
from matcher.domain.model import RoundInput, Solution
from matcher.domain.wording import describe, relaxation_text
from matcher.errors import InconsistentInstance

logger = logging.getLogger(__name__)
SCHEMA_NAME = "instance.schema.json"


def schema_path() -> Path | None:
    """docs/instance.schema.json of the repository this package runs from, if there is one."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "docs" / SCHEMA_NAME
        if candidate.is_file():
            return candidate
    return None


def check_schema(doc: Any) -> None:
    """Validate an instance document against the JSON Schema; raise InconsistentInstance on the first error."""
    path = schema_path()
    try:
        import jsonschema
    except ImportError:  # optional dependency: the domain checks still run
        logger.info("jsonschema not installed: instance checked by the domain rules only")
        return
    if path is None:
        logger.info("schema %s not found: instance checked by the domain rules only", SCHEMA_NAME)
        return
    validator = jsonschema.Draft202012Validator(json.loads(path.read_text()))
    error = next(iter(sorted(validator.iter_errors(doc), key=lambda e: list(e.path))), None)
    if error is not None:
        where = "/".join(str(p) for p in error.path) or "(root)"
        raise InconsistentInstance("round", where, f"schema: {error.message}")


def load_instance(path: str | Path) -> RoundInput:
    """Read, schema-check and convert an instance file."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    check_schema(doc)
    return round_from_dict(doc)


def solution_document(rnd: RoundInput, sol: Solution, lang: str = "nl", report: Any = None) -> dict[str, Any]:
    """The output document: summary, assignments, explanations with sentences, shares, penalties."""
    doc = solution_to_dict(sol)
    for e, out in zip(sol.explanations, doc["explanations"]):
        out["text"] = describe(e, lang)
        out["relaxation_texts"] = [relaxation_text(r, lang) for r in e.relaxations]
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
    from matcher.solver.validation import validate as run_validation

    rnd = load_instance(instance_path)
    sol = solve(rnd)
    report = run_validation(rnd, sol, fairness=validate) if validate != "skip" else None
    doc = solution_document(rnd, sol, lang, report)
    Path(out_path).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
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
    try:
        sol = solve_file(args.instance, args.out, args.lang, args.validate)
    except InconsistentInstance as err:
        print(f"instance refused: {err}", file=sys.stderr)
        return 2
    print(f"{sol.round_id}: placed {sol.stats.placed} of {sol.stats.students} -> {args.out}")
    return 0


def schema_main(argv: Sequence[str] | None = None) -> int:
    """`schema [--out FILE]`: the instance JSON Schema, generated from the event contract."""
    parser = argparse.ArgumentParser(prog="matcher schema", description="Write the instance JSON Schema.")
    parser.add_argument("--out", help="where to write it (default: standard output), e.g. docs/instance.schema.json")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.out:
        Path(args.out).write_text(schema_text(), encoding="utf-8")
    else:
        sys.stdout.write(schema_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
