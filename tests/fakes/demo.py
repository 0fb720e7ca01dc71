"""Doubles for the demo's scripted people (demo/variant2.py, demo/variant3.py): an intake client that records
each call, and `clients.as_` that hands each student pseudonym its own recorder."""

from __future__ import annotations

from typing import Any, Callable


class Recorder:
    """A client double that records each call and answers `answer` to a GET, nothing ({}) to a write."""

    def __init__(self, answer: Any = None) -> None:
        self.calls: list[tuple[str, str, Any]] = []
        self.answer = answer if answer is not None else {}

    def call(self, method: str, path: str, expect: Any = (200,), json: Any = None) -> Any:
        self.calls.append((method, path, json))
        return self.answer if method == "GET" else {}


class StudentClients:
    """`clients.as_` for students: one Recorder per pseudonym, answering `answer_for(pseudonym)` to a GET."""

    def __init__(self, answer_for: Callable[[str], Any]) -> None:
        self.by_ref: dict[str, Recorder] = {}
        self.answer_for = answer_for

    def as_(self, service: str, user_id: str, role: str, scope: str, region_id: str = "") -> Recorder:
        assert (service, role, user_id) == ("intake", "student", scope)
        return self.by_ref.setdefault(scope, Recorder(self.answer_for(scope)))
