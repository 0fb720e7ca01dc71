"""Variant 2 end to end on the real broker and Redis (issue 15.3): a school sets variant 2 on intake, the
matcher's candidates round publishes one `candidates.offered` per student, intake receives the offers, two
students choose through intake's API (the same place: a collision), one does not choose, and the final round
the matcher computes from those choices explains in words what became of each choice.

Intake and the matcher run in this process, on this test's own copies of the topics (events routed there), so
no other test's events reach them; intake's setup is the shared `intake_to_reporting` fixture."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, timedelta

import pytest

from intake.entrypoints.consumer import make_consumer as intake_consumer
from matcher.adapters.ortools_solver import OrToolsRoundSolver
from matcher.bootstrap import bootstrap as matcher_bootstrap
from matcher.config import Settings
from matcher.entrypoints.page_variants import choice_text
from stagepool_shared import kafka, topics
from stagepool_shared.auth import TokenStore
from stagepool_shared.kafka import ConsumerOptions, EventPublisher
from stagepool_shared.registry import decode
from stagepool_shared.testing.waiting import wait_until
from tests.fakes.intake import PLACE
from tests.integration.test_intake_http_flow import WISH, canary_submission
from tests.integration.test_matcher_service import RoutedPublisher

pytestmark = pytest.mark.integration

PERIOD_ID = "p2027a"
OPTIONS = ConsumerOptions(poll_timeout_ms=100, retry_backoff_s=0.05)


class Path:
    """Intake (from the shared fixture) and a matcher, both publishing to and reading this test's topics."""

    def __init__(self, both, kafka_bootstrap: str, redis_url: str):
        self.both, self.region, self.tag = both, both.region, both.tag
        self.routes = {t: f"it-v2-{self.tag}-{t}" for t in topics.MATCHER.topics}
        names = list(self.routes.values())
        kafka.ensure_topics(kafka_bootstrap, names + [topics.dlq(n) for n in names], partitions=1)
        self.kafka = kafka_bootstrap
        both.intake.deps = replace(both.intake.deps, publisher=RoutedPublisher(both.intake.deps.publisher, self.routes))
        settings = Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url})
        self.matcher = matcher_bootstrap(settings, solver=OrToolsRoundSolver(),
                                         publisher=RoutedPublisher(EventPublisher(kafka_bootstrap, "it-v2"), self.routes))
        group = topics.ConsumerGroup(f"it-v2-matcher-{self.tag}", tuple(names))
        intake_group = topics.ConsumerGroup(f"it-v2-intake-{self.tag}", (self.routes[topics.ROUNDS],))
        loops = (self.matcher.consumer(both.stop, options=OPTIONS, group=group),
                 intake_consumer(both.intake, both.stop, OPTIONS, intake_group))
        both.threads += [threading.Thread(target=loop.run, daemon=True) for loop in loops]
        for thread in both.threads[-2:]:
            thread.start()
        self.intake_http = both.intake.app().test_client()
        self.matcher_http = self.matcher.app().test_client()
        coordinator = TokenStore(self.matcher.redis_client).issue("u-c", "regional_coordinator", self.region,
                                                                  self.region)
        self.coordinator = {"Authorization": f"Bearer {coordinator}"}

    def as_(self, user: str, role: str, scope: str) -> dict[str, str]:
        return {"Authorization": "Bearer " + self.both.intake.tokens.issue(user, role, scope, region_id=self.region)}

    def request_round(self, kind: str, previous: str | None = None, status: str = "proposed") -> str:
        body = {"region_id": self.region, "period_id": PERIOD_ID, "kind": kind, "seed": 7,
                "previous_round_id": previous}
        answer = self.matcher_http.post("/api/v1/rounds", json=body, headers=self.coordinator)
        assert answer.status_code == 202, answer.get_data(as_text=True)
        round_id = answer.json["round_id"]
        wait_until(lambda: (r := self.matcher.deps.store.get_round(round_id)) and r.status == status
                   and r.proposal_published, 90, message=f"the {kind} round was not computed")
        return round_id

    def logged(self, topic: str, event_type: str, round_id: str) -> list:
        events = [decode(m.value) for m in kafka.read_log(self.kafka, [self.routes[topic]])]
        return [e for e in events if e.event_type == event_type and e.payload.round_id == round_id]

    def close(self) -> None:
        self.matcher.close()


def seed_period(path: Path) -> list[str]:
    """The period, variant 2 for sch's programme (k = 3), three of its students and three one-slot places."""
    intake, school = path.intake_http, path.as_("u-s", "school_staff", f"sch-{path.tag}")
    period = {"period_id": PERIOD_ID, "name": "Voorjaar 2027", "starts_on": "2027-02-01", "ends_on": "2027-06-30",
              "sectors": ["zorg"], "choices_until": (date.today() + timedelta(days=10)).isoformat()}
    assert intake.put(f"/api/v1/periods/{PERIOD_ID}", json=period,
                      headers=path.as_("u-c", "regional_coordinator", path.region)).status_code == 200
    setting = {"period_id": PERIOD_ID, "crebo": WISH["crebo"], "variant": 2, "candidates": 3}
    assert intake.put("/api/v1/variants", json=setting, headers=school).status_code == 202
    refs = []
    for _ in range(3):
        body, _, _ = canary_submission()
        answer = intake.post("/api/v1/wishes", json=body, headers=school)
        assert answer.status_code == 202, answer.get_data(as_text=True)
        refs.append(answer.json["student_ref"])
    org = path.as_("u-o", "organisation_staff", f"org-{path.tag}")
    for i in range(3):
        place = {**PLACE, "organisation_name": f"Zorg {i}", "location": {"postcode": "9712"}, "slots": 1,
                 "supervision_capacity": 1, "levels": [3], "offers_allowance": True}
        assert intake.post("/api/v1/places", json=place, headers=org).status_code == 202
    wait_until(lambda: len((p := path.matcher.deps.store.load_pool(path.region, PERIOD_ID, None)).wishes) == 3
               and len(p.places) == 3 and p.variants, 60, message="the matcher did not project the period")
    return sorted(refs)


def test_students_choose_among_their_candidates_through_intake_and_the_final_round_says_what_happened(
        intake_to_reporting, kafka_bootstrap, redis_url):
    path = Path(intake_to_reporting, kafka_bootstrap, redis_url)
    try:
        refs = seed_period(path)
        candidates = path.request_round("candidates", status="offered")
        offered = path.logged(topics.ROUNDS, "candidates.offered", candidates)
        offers = {e.payload.student_ref: e.payload.place_ids for e in offered}
        assert sorted(offers) == refs and all(len(ids) == 3 for ids in offers.values())
        assert path.logged(topics.ROUNDS, "round.proposed", candidates) == []
        student = {ref: path.as_(ref, "student", ref) for ref in refs}
        seen = wait_until(lambda: all(path.intake_http.get(f"/api/v1/choices/{PERIOD_ID}", headers=student[r])
                                      .json.get("offered") for r in refs) and True, 60,
                          message="intake did not receive the offers")
        assert seen
        assert path.intake_http.get(f"/api/v1/choices/{PERIOD_ID}", headers=student[refs[0]]).json["offered"] == \
            offers[refs[0]]
        wanted = offers[refs[1]][0]  # refs[0] and refs[1] both choose refs[1]'s pick; refs[2] does not choose
        for ref in refs[:2]:
            answer = path.intake_http.post(f"/api/v1/choices/{PERIOD_ID}", json={"choice": [wanted]},
                                           headers=student[ref])
            assert answer.status_code == 202, answer.get_data(as_text=True)
        wait_until(lambda: sum(w.top_places == [wanted] for w in path.matcher.deps.store.load_pool(
            path.region, PERIOD_ID, None).wishes) == 2, 60, message="the choices did not reach the matcher")
        final = path.request_round("final", previous=candidates)
        outcomes = {o.student_ref: o for p in path.logged(topics.ROUNDS, "round.proposed", final)
                    for o in p.payload.outcomes}
        assert sorted(outcomes[r].choice for r in refs[:2]) == ["CHOICE_GRANTED", "CHOICE_OTHER_CANDIDATE"]
        assert outcomes[refs[2]].choice == "NO_CHOICE_KEPT_PICK" and outcomes[refs[2]].place_id == offers[refs[2]][0]
        said = {r: choice_text(outcomes[r], "en") for r in refs}
        winner = next(r for r in refs[:2] if outcomes[r].choice == "CHOICE_GRANTED")
        loser = next(r for r in refs[:2] if r != winner)
        assert outcomes[winner].place_id == wanted and said[winner] == "You get the place you chose."
        assert "You get another of your candidates." in said[loser] and outcomes[loser].place_id in offers[loser]
        assert "keep the place the matcher picked" in said[refs[2]]
        summary = path.matcher.deps.store.get_round(final).summary
        assert summary.placed == path.matcher.deps.store.get_round(candidates).summary.placed == 3
    finally:
        path.close()
