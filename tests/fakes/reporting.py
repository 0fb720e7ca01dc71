"""Doubles of reporting's own ports (desk store, audit log, views, projections), reporting's test settings, and
`bootstrap_with_doubles`: reporting's real `bootstrap` over in-memory doubles of every port, for unit tests.

The seed data of the unit tests (a region, a period, a student with a wish and a placement, and one principal
per role) lives here too, so the doubles and the tests speak of the same people.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Callable

from cryptography.fernet import Fernet

from reporting.adapters.crypto import ContentCipher
from reporting.adapters.desk_store import _content_from_dict
from reporting.bootstrap import Wiring, bootstrap
from reporting.config import DeskDeadlines, Settings
from reporting.domain.desk import CaseMeta, ReportContent
from reporting.domain.evaluations import Evaluation
from reporting.domain.figures import PLACED, PeriodSnapshot, PlaceFact, PlacementFact, RoundFact, WishFact
from reporting.domain.followup import ContactMoment, ContactStatus, contact_status
from reporting.errors import IntakeUnavailable
from reporting.ports import AbstractIntakeLookups, AbstractPlanningBoard
from reporting.domain.aftercare import Pok, PokPeople, SchoolContact, pok_id_of
from reporting.domain.aftercare_intro import FollowUpTask, Introduction
from reporting.domain.retention import (anonymous_moments, anonymous_placement, anonymous_pok, anonymous_tasks,
                                        anonymous_wish)
from reporting.ports import (AbstractAftercareStore, AbstractAuditLog, AbstractDeskStore, AbstractStudentDirectory,
                             AbstractViews)
from stagepool_shared.auth import Principal
from stagepool_shared.config import CommonSettings

from .common import Clock, FakeAccounts, FakeKeyValue, FakePublisher

#: A fixed desk key for the doubles (a valid Fernet key).
KEY = b"x5cyY0jq4rq3Y2Qx7a2dW9h3oZ6tJ0m4cN1pQe8sVgU="
#: The moment reporting's unit tests start at: after the incidents they report (February 2027).
MARCH_1 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)

REGION, PERIOD = "reg-groningen", "2027-p1"
STUDENT = "stu_" + "a" * 32
STUDENT_PRINCIPAL = Principal("usr-stu", "student", STUDENT, REGION)
DESK_PRINCIPAL = Principal("usr-desk-1", "desk_staff", REGION, REGION)
SCHOOL_PRINCIPAL = Principal("usr-bpv", "school_staff", "sch-alfa", REGION)
ORG_PRINCIPAL = Principal("usr-org", "organisation_staff", "org-umcg", REGION)
COORDINATOR = Principal("usr-coord", "regional_coordinator", REGION, REGION)


def settings_for(kafka_bootstrap: str, redis_url: str, *, key: bytes | None = None, threshold: int = 3,
                 deadlines: DeskDeadlines | None = None) -> Settings:
    """Settings pointing at the given servers, with a fresh desk key unless one is given."""
    common = CommonSettings(service_name=Settings.SERVICE, kafka_bootstrap_servers=kafka_bootstrap, redis_url=redis_url,
                            publish_timeout_s=10.0)
    return Settings(common=common, desk_key=key or Fernet.generate_key(), deadlines=deadlines or DeskDeadlines(),
                    escalation_threshold=threshold)


class FakeDeskStore(AbstractDeskStore):
    """Keeps cases in memory; content sealed like the real store, so tests can check it is not in clear."""

    def __init__(self) -> None:
        self.cipher = ContentCipher(KEY)
        self.meta: dict[str, CaseMeta] = {}
        self.sealed: dict[str, bytes] = {}

    def _seal(self, content: ReportContent) -> bytes:
        return self.cipher.seal(content.__dict__ | {"notes": list(content.notes)})

    def add(self, case: CaseMeta, content: ReportContent) -> None:
        self.meta[case.report_id] = case
        self.sealed[case.report_id] = self._seal(content)

    def case(self, report_id: str) -> CaseMeta | None:
        return self.meta.get(report_id)

    def content(self, report_id: str) -> ReportContent | None:
        return _content_from_dict(self.cipher.open(self.sealed[report_id])) if report_id in self.sealed else None

    def save(self, case: CaseMeta, content: ReportContent | None = None) -> None:
        self.meta[case.report_id] = case
        if content is not None:
            self.sealed[case.report_id] = self._seal(content)

    def cases(self, region_id: str) -> list[CaseMeta]:
        return [case for case in self.meta.values() if case.region_id == region_id]

    def regions(self) -> list[str]:
        return sorted({case.region_id for case in self.meta.values()})


class FakeAudit(AbstractAuditLog):
    """The audit entries as tuples (who, role, action, report_id, outcome)."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str, str, str]] = []

    def append(self, who: str, role: str, action: str, report_id: str, outcome: str) -> None:
        self.entries.append((who, role, action, report_id, outcome))


def _of_period(items: dict[tuple[str, str, str], Any], region_id: str, period_id: str) -> list:
    """The values of one region and period, in key order."""
    return [value for (r, p, _), value in sorted(items.items()) if (r, p) == (region_id, period_id)]


class FakeViews(AbstractViews):
    """Wishes, places and placements by (region, period, id); contact moments, exceptions and evaluations by
    (region, period, student[, by]); organisation signals by region. A snapshot is built from these unless a
    test sets one in `snapshots[(region, period)]`."""

    def __init__(self) -> None:
        self.wishes: dict[tuple[str, str, str], WishFact] = {}
        self.places: dict[tuple[str, str, str], PlaceFact] = {}
        self.placements: dict[tuple[str, str, str], PlacementFact] = {}
        self.contacts: dict[tuple[str, str, str], list[ContactMoment]] = {}
        self.exceptions: set[tuple[str, str, str]] = set()
        self.evaluations: dict[tuple[str, str, str, str], dict] = {}
        self.signals: dict[str, dict[str, dict[str, int]]] = {}
        self.snapshots: dict[tuple[str, str], PeriodSnapshot] = {}
        self.rounds: dict[tuple[str, str, str], list[tuple[RoundFact, dict]]] = {}

    def periods(self) -> list[tuple[str, str]]:
        keys = list(self.wishes) + list(self.places) + list(self.placements)
        return sorted({(r, p) for r, p, _ in keys} | set(self.snapshots))

    def snapshot(self, region_id: str, period_id: str, desk_by_status: dict[str, int]) -> PeriodSnapshot:
        stored = self.snapshots.get((region_id, period_id))
        if stored is not None:
            return replace(stored, desk_by_status=desk_by_status)
        placements = _of_period(self.placements, region_id, period_id)
        return PeriodSnapshot(region_id, period_id, wishes=_of_period(self.wishes, region_id, period_id),
                              places=_of_period(self.places, region_id, period_id), placements=placements,
                              contacts=self._statuses(region_id, period_id, placements), desk_by_status=desk_by_status)

    def _statuses(self, region_id: str, period_id: str, placements: list[PlacementFact]) -> list[ContactStatus]:
        return [contact_status(fact.student_ref, fact.school_id,
                               self.contact_moments(region_id, period_id, fact.student_ref),
                               (region_id, period_id, fact.student_ref) in self.exceptions, fact.place_id)
                for fact in placements if fact.status in PLACED]

    def placement(self, region_id: str, period_id: str, student_ref: str) -> PlacementFact | None:
        return self.placements.get((region_id, period_id, student_ref))

    def wish(self, region_id: str, period_id: str, student_ref: str) -> WishFact | None:
        return self.wishes.get((region_id, period_id, student_ref))

    def place(self, region_id: str, period_id: str, place_id: str) -> PlaceFact | None:
        return self.places.get((region_id, period_id, place_id))

    def organisation_names(self, region_id: str) -> dict[str, str]:
        places = [p for (r, _, _), p in sorted(self.places.items()) if r == region_id]
        places += [p for (r, _), s in sorted(self.snapshots.items()) if r == region_id for p in s.places]
        names: dict[str, str] = {}
        for place in places:
            names[place.organisation_id] = place.organisation_name or names.get(place.organisation_id, "")
        return names

    def student_periods(self, student_ref: str) -> list[tuple[str, str]]:
        return sorted({(r, p) for r, p, s in self.placements if s == student_ref})

    def student_rounds(self, region_id: str, period_id: str, student_ref: str) -> list[tuple[RoundFact, dict]]:
        return list(self.rounds.get((region_id, period_id, student_ref), []))

    def organisation_placements(self, region_id: str, organisation_id: str) -> list[tuple[str, PlacementFact]]:
        return [(p, fact) for (r, p, _), fact in sorted(self.placements.items())
                if r == region_id and fact.organisation_id == organisation_id and fact.status in PLACED]

    def signal_counts(self, region_id: str) -> dict[str, dict[str, int]]:
        return dict(self.signals.get(region_id, {}))

    def signal_regions(self) -> list[str]:
        return sorted(self.signals)

    def contact_moments(self, region_id: str, period_id: str, student_ref: str) -> list[ContactMoment]:
        return list(self.contacts.get((region_id, period_id, student_ref), []))

    def add_contact_moment(self, region_id: str, period_id: str, student_ref: str, moment: ContactMoment,
                           exception: bool) -> None:
        self.contacts.setdefault((region_id, period_id, student_ref), []).append(moment)
        if exception:
            self.exceptions.add((region_id, period_id, student_ref))

    def put_evaluation(self, region_id: str, period_id: str, student_ref: str, by: str, answers: dict) -> None:
        self.evaluations[(region_id, period_id, student_ref, by)] = answers

    def period_evaluations(self, region_id: str, period_id: str) -> list[Evaluation]:
        return [Evaluation.of_record(s, by, record) for (r, p, s, by), record in sorted(self.evaluations.items())
                if (r, p) == (region_id, period_id)]

    def anonymise_followup(self, region_id: str, period_id: str, student_ref: str, anon_ref: str) -> None:
        old, new = (region_id, period_id, student_ref), (region_id, period_id, anon_ref)
        placement, wish = self.placements.pop(old, None), self.wishes.pop(old, None)
        if placement:
            self.placements[new] = anonymous_placement(placement, anon_ref)
        if wish:
            self.wishes[new] = anonymous_wish(wish, anon_ref)
        if old in self.contacts:
            self.contacts[new] = anonymous_moments(self.contacts.pop(old), placement.place_id if placement else None)
        if old in self.exceptions:
            self.exceptions.discard(old)
            self.exceptions.add(new)
        for key in [k for k in self.evaluations if k[:3] == old]:
            self.evaluations[(*new, key[3])] = self.evaluations.pop(key)
        self.rounds.pop(old, None)


class FakeAftercareStore(AbstractAftercareStore):
    """POKs, people, school contacts, kennismakingen and tasks in memory; `seen` holds the event ids."""

    def __init__(self) -> None:
        self.poks_: dict[tuple[str, str, str], Pok] = {}
        self.people: dict[str, PokPeople] = {}
        self.contacts: dict[tuple[str, str, str], SchoolContact] = {}
        self.intros: dict[tuple[str, str, str], Introduction] = {}
        self.tasks_: dict[str, FollowUpTask] = {}
        self.history: dict[tuple[str, str, str], list[Pok]] = {}  # earlier POKs of the period, oldest first
        self.seen: set[str] = set()
        self.announced: dict[str, set[str]] = {}  # region -> POK ids whose evaluation was announced

    def create_pok(self, event_id: str, pok: Pok) -> bool:
        key = (pok.region_id, pok.period_id, pok.student_ref)
        if event_id in self.seen or (key in self.poks_ and self.poks_[key].place_id == pok.place_id):
            return False
        self.seen.add(event_id)
        if key in self.poks_:
            self.history.setdefault(key, []).append(self.poks_[key])
        self.poks_[key] = pok
        self.people.pop(pok.pok_id, None)
        return True

    def pok(self, region_id: str, period_id: str, student_ref: str) -> Pok | None:
        return self.poks_.get((region_id, period_id, student_ref))

    def pok_people(self, pok_id: str) -> PokPeople:
        return self.people.get(pok_id, PokPeople())

    def save_pok(self, pok: Pok, people: PokPeople | None = None) -> None:
        self.poks_[(pok.region_id, pok.period_id, pok.student_ref)] = pok
        if people is not None:
            self.people[pok.pok_id] = people

    def poks(self, region_id: str) -> list[Pok]:
        return [pok for (r, _, _), pok in sorted(self.poks_.items()) if r == region_id]

    def school_contact(self, region_id: str, school_id: str, organisation_id: str) -> SchoolContact | None:
        return self.contacts.get((region_id, school_id, organisation_id))

    def put_school_contact(self, region_id: str, school_id: str, organisation_id: str,
                           contact: SchoolContact) -> None:
        self.contacts[(region_id, school_id, organisation_id)] = contact

    def introduction(self, region_id: str, period_id: str, student_ref: str) -> Introduction | None:
        return self.intros.get((region_id, period_id, student_ref))

    def save_introduction(self, intro: Introduction) -> None:
        self.intros[(intro.region_id, intro.period_id, intro.student_ref)] = intro

    def tasks(self, region_id: str, school_id: str) -> list[FollowUpTask]:
        return sorted((t for t in self.tasks_.values() if (t.region_id, t.school_id) == (region_id, school_id)),
                      key=lambda t: (t.created_at, t.task_id))

    def save_task(self, task: FollowUpTask) -> None:
        self.tasks_[task.task_id] = task

    def introductions(self, region_id: str) -> list[Introduction]:
        return [intro for (r, _, _), intro in sorted(self.intros.items()) if r == region_id]

    def evaluations_announced(self, region_id: str) -> set[str]:
        return set(self.announced.get(region_id, ()))

    def mark_evaluation_announced(self, region_id: str, pok_id: str) -> None:
        self.announced.setdefault(region_id, set()).add(pok_id)

    def _drop(self, key: tuple[str, str, str]) -> list[FollowUpTask]:
        for pok in self.history.pop(key, []) + ([self.poks_.pop(key)] if key in self.poks_ else []):
            self.people.pop(pok.pok_id, None)
            self.announced.get(key[0], set()).discard(pok.pok_id)
        self.intros.pop(key, None)
        tasks = [t for t in self.tasks_.values() if (t.region_id, t.period_id, t.student_ref) == key]
        for task in tasks:
            del self.tasks_[task.task_id]
        return tasks

    def anonymise_student(self, region_id: str, period_id: str, student_ref: str, anon_ref: str) -> None:
        pok = self.poks_.get((region_id, period_id, student_ref))
        tasks = self._drop((region_id, period_id, student_ref))
        if pok is not None:
            self.poks_[(region_id, period_id, anon_ref)] = anonymous_pok(pok, anon_ref)
        self.tasks_.update((task.task_id, task) for task in anonymous_tasks(tasks, anon_ref))

    def erase_student(self, region_id: str, student_ref: str) -> None:
        keys = set(self.poks_) | set(self.intros) | {(t.region_id, t.period_id, t.student_ref)
                                                      for t in self.tasks_.values()}
        for key in sorted(k for k in keys if (k[0], k[2]) == (region_id, student_ref)):
            self._drop(key)


class FakeDirectory(AbstractStudentDirectory):
    """Intake's names by (school, pseudonym); `asked` records every question."""

    def __init__(self, names: dict[tuple[str, str], str] | None = None) -> None:
        self.names = dict(names or {})
        self.asked: list[tuple[str, str]] = []

    def name(self, school_id: str, student_ref: str) -> str | None:
        self.asked.append((school_id, student_ref))
        return self.names.get((school_id, student_ref))


def seeded_views() -> FakeViews:
    """Views with the student's wish (sch-alfa, zorg level 4), a place at org-umcg and the student placed there."""
    views = FakeViews()
    views.wishes[(REGION, PERIOD, STUDENT)] = WishFact(STUDENT, "sch-alfa", "zorg", 4)
    views.places[(REGION, PERIOD, "plc-umcg-01")] = PlaceFact("plc-umcg-01", "org-umcg", "zorg", (3, 4), 6)
    views.placements[(REGION, PERIOD, STUDENT)] = PlacementFact(STUDENT, "sch-alfa", "placed", "top1", None, "rnd-1",
                                                                "2027-01-15T09:00:00Z", "org-umcg", "plc-umcg-01")
    return views


def started_pok(store: AbstractAftercareStore, student: str = STUDENT, period: str = PERIOD, status: str = "active",
                school: str = "sch-alfa", organisation: str = "org-umcg", updated_at: str | None = None) -> Pok:
    """Store the student's signed POK in `status` (active: the internship started; issue 20.5's evaluations)."""
    pok = Pok(pok_id_of(REGION, period, student), REGION, period, student, school, organisation, "plc-umcg-01",
              "rnd-1", "2027-01-20T09:00:00+00:00", status, "2027-02-01", "2027-06-30", 640,
              ("student", "school", "organisation"), updated_at=updated_at)
    store.save_pok(pok)
    return pok


class FakePlanningBoard(AbstractPlanningBoard):
    """The board's planning lines in dictionaries (issue 16.3); `seen` holds the processed event ids."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], dict[str, dict]] = {}
        self.thresholds: dict[str, int] = {}
        self.seen: set[str] = set()

    def put_line(self, event_id: str, region_id: str, kind: str, key: str, line: dict) -> bool:
        if event_id in self.seen:
            return False
        self.seen.add(event_id)
        self.data.setdefault((region_id, kind), {})[key] = dict(line)
        return True

    def lines(self, region_id: str, kind: str) -> list[dict]:
        return [line for _, line in sorted(self.data.get((region_id, kind), {}).items())]

    def drop_lines(self, event_id: str, region_id: str, kind: str, key_prefix: str) -> bool:
        if event_id in self.seen:
            return False
        self.seen.add(event_id)
        lines = self.data.get((region_id, kind), {})
        for key in [k for k in lines if k.startswith(key_prefix)]:
            del lines[key]
        return True

    def regions(self) -> list[str]:
        return sorted({region for region, _ in self.data})

    def threshold(self, region_id: str) -> int | None:
        return self.thresholds.get(region_id)

    def put_threshold(self, region_id: str, threshold: int) -> None:
        self.thresholds[region_id] = threshold


class RecordingProjections:
    """Records every projection call as (method, args); every round belongs to PERIOD."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple]] = []

    def period_of_round(self, round_id: str) -> str:
        return PERIOD

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args: self.calls.append((name, args))


def bootstrap_with_doubles(**doubles: Any) -> Wiring:
    """Reporting's real bootstrap over in-memory doubles of every port (pass any of them to replace it): no
    Redis, no Kafka, no metrics registry, the clock at MARCH_1."""
    parts: dict[str, Any] = dict(
        client=FakeKeyValue(), publisher=FakePublisher(), projections=RecordingProjections(), views=seeded_views(),
        desk_store=FakeDeskStore(), audit=FakeAudit(), accounts=FakeAccounts(), clock=Clock(MARCH_1), registry=None,
        aftercare=FakeAftercareStore(), planning=FakePlanningBoard())
    return bootstrap(settings_for("127.0.0.1:9", "redis://127.0.0.1:9/0", key=KEY), **(parts | doubles))


class FakeIntakeLookups(AbstractIntakeLookups):
    """Intake's answers to the coordinator's pages in dictionaries (issue 14): `schools` id -> name, `numbers`
    (region, school, student number) -> pseudonym; `asked` lists every question; `down` fails them all."""

    def __init__(self, schools: dict[str, str] | None = None,
                 numbers: dict[tuple[str, str, str], str] | None = None):
        self.schools = dict(schools or {})
        self.numbers = dict(numbers or {})
        self.asked: list[tuple[str, Any]] = []
        self.down = False

    def school_names(self, school_ids: Any) -> dict[str, str]:
        self._ask("school_names", list(school_ids))
        return {s: self.schools[s] for s in school_ids if s in self.schools}

    def student_ref(self, region_id: str, school_id: str, student_number: str) -> str | None:
        self._ask("student_ref", (region_id, school_id, student_number))
        return self.numbers.get((region_id, school_id, student_number))

    def _ask(self, what: str, question: Any) -> None:
        if self.down:
            raise IntakeUnavailable("fake: intake is down")
        self.asked.append((what, question))
