"""The shared client of intake's internal API (stagepool_shared.intake_client), which the matcher, the notifier
and reporting subclass: batches of at most 200 ids, the service's own error for every failure, and school
names read tolerantly. No server: the session's `request` is replaced."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from stagepool_shared.intake_client import BATCH, IntakeClient, batches


class Down(Exception):
    """The service's own error of the test's client."""


class Client(IntakeClient):
    Unavailable = Down


class Answer:
    def __init__(self, status: int, body: Any):
        self.status_code = status
        self.body = body

    def json(self) -> Any:
        if isinstance(self.body, Exception):
            raise self.body
        return self.body


def answering(*answers: Any) -> tuple[Client, list[tuple[str, str, dict]]]:
    """A client whose questions get `answers` in turn (an exception is raised); the questions are recorded."""
    client = Client("http://intake:8001/", "sp_token")
    asked: list[tuple[str, str, dict]] = []
    queue = list(answers)

    def request(method: str, url: str, **kwargs: Any) -> Answer:
        asked.append((method, url, kwargs))
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client.session.request = request  # type: ignore[method-assign]
    return client, asked


def test_batches_are_the_distinct_sorted_ids_at_most_200_at_a_time():
    ids = [f"id-{i:03d}" for i in range(450)] + ["id-000"]
    chunks = list(batches(ids))
    assert [len(c) for c in chunks] == [BATCH, BATCH, 50] == [200, 200, 50]
    assert sum(chunks, []) == sorted(set(ids))


def test_school_names_asks_per_batch_with_the_token_and_keeps_only_asked_named_schools():
    ids = [f"sch-{i:03d}" for i in range(201)]
    client, asked = answering(
        Answer(200, {"schools": {"sch-000": "ROC Alfa", "sch-001": "", "other": "Elsewhere", "sch-002": 7}}),
        Answer(200, {"schools": {"sch-200": "Beta Vakschool"}, "not_found": []}))
    assert client.school_names(ids) == {"sch-000": "ROC Alfa", "sch-200": "Beta Vakschool"}
    assert [(m, url) for m, url, _ in asked] == [("get", "http://intake:8001/internal/v1/school-names")] * 2
    assert len(asked[0][2]["params"]["school_id"]) == 200 and asked[1][2]["params"]["school_id"] == ["sch-200"]
    assert client.session.headers["Authorization"] == "Bearer sp_token"


@pytest.mark.parametrize("answer", [Answer(500, {}), Answer(403, {}), Answer(404, {}),
                                    requests.ConnectionError("refused"), Answer(200, ValueError("no JSON"))])
def test_every_failure_is_the_service_s_own_error(answer):
    client, _ = answering(answer)
    with pytest.raises(Down):
        client.school_names(["sch-a"])


def test_a_404_is_an_answer_only_when_the_caller_allows_it_and_other_json_reads_as_empty():
    client, _ = answering(Answer(404, {"error": "not_found"}), Answer(200, ["not", "an", "object"]))
    assert client.ask("post", "student-refs", missing_ok=True, json={}).status_code == 404
    assert client.json_of(client.ask("get", "school-names")) == {}
