"""Variant 2 in the demo (issue 15.3): the first school sets variant 2 (k = 3) for each of its programmes, a
candidates round offers its students candidates, the scripted students choose one through intake's API, the
final round follows, and the summary says how many chose and how many got their choice."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from demo import variant2
from demo import region as demo_region
from stagepool_shared.auth import pseudonym

SECRET = b"demo-secret"


class Recorder:
    """A client double that records each call and answers an offer (GET) or nothing (PUT, POST)."""

    def __init__(self, offered: list[str]) -> None:
        self.calls: list[tuple[str, str, Any]] = []
        self.offered = offered

    def call(self, method: str, path: str, expect: Any = (200,), json: Any = None) -> Any:
        self.calls.append((method, path, json))
        return {"offered": self.offered} if method == "GET" else {}


class StudentClients:
    """`clients.as_` for students: one Recorder per pseudonym; the students in `unoffered` have no offer."""

    def __init__(self, unoffered: frozenset[str] = frozenset()) -> None:
        self.by_ref: dict[str, Recorder] = {}
        self.unoffered = unoffered

    def as_(self, service: str, user_id: str, role: str, scope: str, region_id: str = "") -> Recorder:
        assert (service, role, user_id) == ("intake", "student", scope)
        return self.by_ref.setdefault(scope, Recorder([] if scope in self.unoffered else ["pa", "pb", "pc"]))


class Matcher:
    """The coordinator's matcher client: a candidates round, then a final round granting `granted` choices."""

    def __init__(self, school_id: str, refs: list[str], granted: int) -> None:
        self.requests: list[dict[str, Any]] = []
        self.school_id, self.refs, self.granted = school_id, refs, granted

    def request_round(self, region_id: str, period_id: str, **body: Any) -> str:
        self.requests.append(body)
        return f"rnd-{body['kind']}"

    def round(self, round_id: str) -> dict[str, Any]:
        if round_id == "rnd-candidates":
            outcomes = [{"student_ref": r, "school_id": self.school_id, "status": "placed"} for r in self.refs]
            return {"status": "offered", "proposal_published": True, "outcomes": outcomes}
        outcomes = [{"student_ref": r, "school_id": self.school_id, "status": "placed",
                     "choice": "CHOICE_GRANTED" if i < self.granted else "CHOICE_OTHER_CANDIDATE"}
                    for i, r in enumerate(self.refs)]
        return {"status": "proposed", "proposal_published": True, "outcomes": outcomes}


class Timings:
    @contextmanager
    def step(self, name: str):
        yield


def wait(predicate, timeout, what):
    value = predicate()
    assert value, what
    return value


def test_the_first_school_sets_variant_2_with_three_candidates_for_each_of_its_programmes():
    area = demo_region.generate(120, None, 2026)
    school = Recorder([])
    run = variant2.set_variant2(school, area)
    assert run.school_id == area.schools[0].school_id != area.schools[-1].school_id
    assert [c[2] for c in school.calls] == [{"period_id": area.period_id, "crebo": c, "variant": 2, "candidates": 3}
                                            for c in sorted({s.crebo for s in area.schools[0].students})]


def test_scripted_students_choose_one_of_their_candidates_and_a_student_not_offered_any_is_skipped():
    area = demo_region.generate(120, None, 2026)
    run = variant2.set_variant2(Recorder([]), area)
    refs = [pseudonym(SECRET, s.school_id, s.number) for s in area.schools[0].students[:6]]
    clients = StudentClients(unoffered=frozenset({refs[0]}))
    assert variant2.script_choices(clients, area, run, SECRET, set(refs[1:]), wait, limit=5) == 5
    assert refs[0] not in run.choices and refs[0] not in clients.by_ref
    for ref in refs[1:]:
        (_, _, _), (post, path, body) = clients.by_ref[ref].calls
        assert (post, path) == ("POST", f"/api/v1/choices/{area.period_id}")
        assert body == {"choice": [run.choices[ref]]} and run.choices[ref] in ("pa", "pb", "pc")


def test_the_run_requests_the_candidates_and_the_final_round_and_the_summary_counts_granted_choices():
    area = demo_region.generate(120, None, 2026)
    school_id = area.schools[0].school_id
    refs = [pseudonym(SECRET, s.school_id, s.number) for s in area.schools[0].students[:4]]
    matcher = Matcher(school_id, refs, granted=3)
    cast = type("Cast", (), {"coordinator_matcher": matcher, "schools": {school_id: Recorder([])}})()
    counts = {"variant.set": 0, "wish.updated": 0}

    def consumed(*types: str) -> int:
        counts["variant.set"] += 100  # the matcher keeps up: every look sees more
        counts["wish.updated"] += 100
        return sum(counts[t] for t in types)

    others = frozenset(pseudonym(SECRET, s.school_id, s.number) for s in area.schools[0].students) - set(refs)
    run = variant2.run_variant2(StudentClients(others), cast, area, SECRET, Timings(), wait, consumed)
    assert [r["kind"] for r in matcher.requests] == ["candidates", "final"]
    assert matcher.requests[1]["previous_round_id"] == "rnd-candidates"
    assert (run.offered, run.got) == (4, 3) and set(run.choices) == set(refs)
    [dutch] = variant2.summary_line(run, "nl")
    assert "4 studenten kregen kandidaten aangeboden, 4 kozen via de API van intake; 3 van hen kregen hun keuze" \
        in dutch
    [english] = variant2.summary_line(run, "en")
    assert "4 students were offered candidates, 4 chose through intake's API; 3 of them got their choice" in english
    assert variant2.summary_line(None) == []
