"""Doubles of the notifier's own ports (store, channel), the outcomes unit tests release, and the recording
SMTP server the notifier's integration tests send to. The shared doubles (Clock, FakePublisher, FakeTokens)
are in tests/fakes/common.py."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from typing import Any, Iterator, Sequence

from notifier.domain.model import (ABOUT_STUDENT, PENDING, SCHOOL, SENT, Delivery, DeliveryId, Exclusions,
                                   InboxEntry, Message, PlaceInfo, Response, RoundInfo, StudentOutcome)
from notifier.errors import DeliveryError
from notifier.domain.deadlines import Window
from notifier.ports import (AbstractChannel, AbstractDeadlineMarks, AbstractStore, AbstractWindows, DeliveryResult,
                            OutboxItem)
from stagepool_shared.events import rounds


class FakeStore(AbstractStore):
    """AbstractStore in dictionaries, with the same idempotency and queue semantics as the Redis store."""

    def __init__(self) -> None:
        self.processed: set[str] = set()
        self.place_map: dict[str, PlaceInfo] = {}
        self.parts: dict[str, dict[int, list[StudentOutcome]]] = {}
        self.rounds: dict[str, RoundInfo] = {}
        self.outcome_map: dict[tuple[str, str], StudentOutcome] = {}
        self.deliveries: dict[DeliveryId, Delivery] = {}
        self.queue: dict[DeliveryId, float] = {}
        self.inboxes: dict[tuple[str, str], dict[str, InboxEntry]] = {}
        self.responses: dict[tuple[str, str], Response] = {}
        self.awaiting: dict[tuple[str, str], float] = {}
        self.outbox: list[OutboxItem] = []
        self.first_last: dict[str, list[float]] = {}
        self.finished: list[list[DeliveryResult]] = []  # every finish() call: one transaction each
        self.withdrawn: set[str] = set()
        self.overdue: dict[tuple[str, str], float] = {}
        self.excluded: dict[str, Exclusions] = {}

    def _once(self, event_id: str) -> bool:
        if event_id in self.processed:
            return False
        self.processed.add(event_id)
        return True

    def save_place(self, event_id: str, place: PlaceInfo) -> bool:
        if self._once(event_id):
            self.place_map[place.place_id] = place
            return True
        return False

    def withdraw_place(self, event_id: str, place_id: str, notices=(), due: float = 0.0) -> bool:
        if not self._once(event_id):
            return False
        self.withdrawn.add(place_id)
        for d in notices:
            if d not in self.deliveries:
                self.deliveries[d] = Delivery(d)
                self.queue[d] = due
            self.awaiting.pop((d.round_id, d.ref), None)
            self.overdue.pop((d.round_id, d.ref), None)
        return True

    def placed_at(self, place_id: str) -> list[tuple[str, str]]:
        return sorted(k for k, o in self.outcome_map.items() if o.is_placed and o.place_id == place_id)

    def withdrawn_places(self, place_ids: list[str]) -> set[str]:
        return self.withdrawn.intersection(place_ids)

    def rounds_released_before(self, moment: float) -> list[str]:
        return sorted(r for r, info in self.rounds.items() if info.released_at.timestamp() < moment)

    def forget_round(self, round_id: str) -> None:
        self.rounds.pop(round_id, None)
        for store in (self.outcome_map, self.responses, self.awaiting, self.overdue):
            for key in [k for k in store if k[0] == round_id]:
                del store[key]
        for store in (self.deliveries, self.queue):
            for key in [k for k in store if k.round_id == round_id]:
                del store[key]
        for owner, entries in list(self.inboxes.items()):
            for delivery in [d for d in entries if d.startswith(f"{round_id}:")]:
                del entries[delivery]
            if not entries:  # as Redis drops an empty hash
                del self.inboxes[owner]
        self.first_last.pop(round_id, None)

    def student_rounds(self, student_ref: str) -> list[str]:
        return sorted(r for r, ref in self.outcome_map if ref == student_ref)

    def exclude(self, event_id: str, student_ref: str, organisation_ids: list[str], place_ids: list[str]) -> bool:
        if not self._once(event_id):
            return False
        old = self.excluded.get(student_ref, Exclusions())
        self.excluded[student_ref] = Exclusions(old.organisation_ids | set(organisation_ids),
                                                old.place_ids | set(place_ids))
        return True

    def exclusions(self, student_ref: str) -> Exclusions:
        return self.excluded.get(student_ref, Exclusions())

    def places(self, place_ids: list[str]) -> dict[str, PlaceInfo]:
        return {i: self.place_map[i] for i in place_ids if i in self.place_map}

    def add_round_part(self, event_id, round_info, part, parts, outcomes, reminder_at, plan) -> bool:
        if not self._once(event_id):
            return False
        if round_info.round_id in self.rounds:
            return True
        stored = self.parts.setdefault(round_info.round_id, {})
        stored[part] = outcomes
        if len(stored) == parts:
            everyone = [o for p in stored.values() for o in p]
            result = plan(round_info, everyone)
            self.rounds[round_info.round_id] = round_info
            for o in result.outcomes:
                self.outcome_map[(round_info.round_id, o.student_ref)] = o
            for d in result.deliveries:
                self.deliveries[d] = Delivery(d)
                self.queue[d] = round_info.released_at.timestamp()
            for ref in result.awaiting:
                self.awaiting[(round_info.round_id, ref)] = reminder_at
                self.overdue[(round_info.round_id, ref)] = round_info.respond_by.timestamp()
            del self.parts[round_info.round_id]
        return True

    def round(self, round_id: str) -> RoundInfo | None:
        return self.rounds.get(round_id)

    def outcome(self, round_id: str, student_ref: str) -> StudentOutcome | None:
        return self.outcome_map.get((round_id, student_ref))

    def outcomes_for(self, round_id: str, student_refs: list[str]) -> dict[str, StudentOutcome]:
        return {r: self.outcome_map[(round_id, r)] for r in student_refs if (round_id, r) in self.outcome_map}

    def outcomes_of(self, round_id: str, kind: str, ref: str) -> list[StudentOutcome]:
        key = "school_id" if kind == SCHOOL else "organisation_id"
        return [o for (r, _), o in sorted(self.outcome_map.items())
                if r == round_id and getattr(o, key) == ref and (kind == SCHOOL or o.is_placed)]

    def erase_student(self, event_id: str, student_ref: str) -> bool:
        if not self._once(event_id):
            return False
        for key in [k for k in self.outcome_map if k[1] == student_ref]:
            del self.outcome_map[key]
            self.responses.pop(key, None)
            self.awaiting.pop(key, None)
            self.overdue.pop(key, None)
        for d in [d for d in self.deliveries if d.ref == student_ref and d.kind in ABOUT_STUDENT]:
            del self.deliveries[d]
            self.queue.pop(d, None)
        self.inboxes.pop(("student", student_ref), None)
        self.excluded.pop(student_ref, None)
        return True

    def claim_due(self, now: float, limit: int, lease_s: float) -> list[Delivery]:
        due = sorted((t, d.suffix, d) for d, t in self.queue.items() if t <= now)[:limit]
        for _, _, d in due:
            self.queue[d] = now + lease_s
        return [self.deliveries[d] for _, _, d in due if self.deliveries[d].state == PENDING]

    def finish(self, results: list[DeliveryResult]) -> None:
        self.finished.append(list(results))
        for r in results:
            d = r.delivery
            if d.id not in self.deliveries:  # erased meanwhile: only leaves the queue
                self.queue.pop(d.id, None)
                continue
            if r.state == PENDING:
                self.deliveries[d.id] = replace(d, state=PENDING, last_error=r.error)
                if d.id in self.queue:
                    self.queue[d.id] = r.at
            else:
                self.deliveries[d.id] = replace(d, state=r.state, last_error=r.error)
                self.queue.pop(d.id, None)
            self.outbox.extend(r.events)
            for kind, ref, entry in r.inbox:
                self.put_inbox(kind, ref, entry)
            if r.state == SENT:
                times = self.first_last.setdefault(d.id.round_id, [r.at, r.at])
                times[0], times[1] = min(times[0], r.at), max(times[1], r.at)

    def delivery(self, delivery_id: DeliveryId) -> Delivery | None:
        return self.deliveries.get(delivery_id)

    def pending_count(self) -> int:
        return len(self.queue)

    def spread(self, round_id: str) -> tuple[float | None, float | None]:
        times = self.first_last.get(round_id)
        return (times[0], times[1]) if times else (None, None)

    def put_inbox(self, recipient_kind: str, ref: str, entry: InboxEntry) -> None:
        self.inboxes.setdefault((recipient_kind, ref), {})[entry.delivery] = entry

    def inbox(self, recipient_kind: str, ref: str) -> list[InboxEntry]:
        return sorted(self.inboxes.get((recipient_kind, ref), {}).values(), key=lambda e: (e.created_at, e.delivery))

    def response(self, round_id: str, student_ref: str) -> Response | None:
        return self.responses.get((round_id, student_ref))

    def save_response(self, round_id: str, student_ref: str, response: Response) -> None:
        self.responses[(round_id, student_ref)] = response
        self.awaiting.pop((round_id, student_ref), None)
        self.overdue.pop((round_id, student_ref), None)

    def due_reminders(self, now: float, limit: int) -> list[tuple[str, str]]:
        return sorted(k for k, t in self.awaiting.items() if t <= now)[:limit]

    def schedule_reminder(self, round_id, student_ref, deliveries, due) -> bool:
        if self.awaiting.pop((round_id, student_ref), None) is None:
            return False
        for d in deliveries:
            self.deliveries[d] = Delivery(d)
            self.queue[d] = due
        return True

    def drop_reminder(self, round_id: str, student_ref: str) -> None:
        self.awaiting.pop((round_id, student_ref), None)

    def due_overdue(self, now: float, limit: int) -> list[tuple[str, str]]:
        return sorted(k for k, t in self.overdue.items() if t <= now)[:limit]

    def schedule_overdue(self, round_id, student_ref, deliveries, due) -> bool:
        if self.overdue.pop((round_id, student_ref), None) is None:
            return False
        for d in deliveries:
            self.deliveries[d] = Delivery(d)
            self.queue[d] = due
        return True

    def drop_overdue(self, round_id: str, student_ref: str) -> None:
        self.overdue.pop((round_id, student_ref), None)

    def outbox_peek(self, limit: int) -> list[OutboxItem]:
        return self.outbox[:limit]

    def outbox_ack(self, items: Sequence[OutboxItem]) -> None:
        done = {envelope.event_id for _, envelope in items}
        self.outbox = [item for item in self.outbox if item[1].event_id not in done]

    def states(self) -> dict[str, str]:
        return {d.suffix: rec.state for d, rec in self.deliveries.items()}


class FakeChannel(AbstractChannel):
    """Records what it was asked to send; can fail a number of times, or always."""

    def __init__(self, name: str, fail_times: int = 0, permanent: bool = False, reason: str = "down",
                 fail_only: str | None = None):
        self.name = name
        self.fail_only = fail_only
        self.sent: list[tuple[DeliveryId, str, Message, dict[str, Any]]] = []
        self.fail_times = fail_times
        self.permanent = permanent
        self.reason = reason
        self.calls = 0

    def send(self, delivery: DeliveryId, address: str, message: Message, data: dict[str, Any]) -> None:
        self.calls += 1
        if self.fail_times and self.fail_only in (None, address):
            self.fail_times -= 1
            raise DeliveryError(self.reason, permanent=self.permanent)
        self.sent.append((delivery, address, message, data))

    def to(self, address: str) -> list[Message]:
        return [m for _, a, m, _ in self.sent if a == address]


RELEASE = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
RESPOND_BY = RELEASE + timedelta(days=7)


def placed(ref: str, school: str = "sch-a", place: str = "plc-1", org: str = "org-1") -> rounds.Outcome:
    return rounds.Outcome(student_ref=ref, school_id=school, status="placed", place_id=place, organisation_id=org,
                          wish_match="top1", travel_minutes=25, criteria_met=["programme", "level", "travel_time"])


def unplaced(ref: str, school: str = "sch-a") -> rounds.Outcome:
    return rounds.Outcome(student_ref=ref, school_id=school, status="unplaced", reason_code="NO_ELIGIBLE_PLACE",
                          binding_constraint="travel_time", hints=[rounds.Hint("travel_time", 15, "minutes", 4)])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that records every message it accepted (optionally slowly)."""

    def __init__(self, delay_s: float = 0.0):
        self.messages: list[tuple[list[str], Any]] = []
        self.arrivals: list[datetime] = []
        self.delay_s = delay_s
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
            self.arrivals.append(datetime.now(UTC))
        return "250 OK"

    def to(self, address: str) -> list[Any]:
        with self.lock:
            return [m for rcpts, m in self.messages if address in rcpts]

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def per_recipient(self) -> Counter:
        with self.lock:
            return Counter(r for rcpts, _ in self.messages for r in rcpts)


@contextmanager
def smtp_server(delay_s: float = 0.0) -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server (aiosmtpd) on a free local port that records what it accepts: (inbox, port)."""
    from aiosmtpd.controller import Controller  # only the integration tests need it
    inbox = Inbox(delay_s)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


class FakeWindows(AbstractWindows):
    """Intake's open windows (issue 15.4) as a list the test sets; remembers each `within` it was asked with."""

    def __init__(self, windows: Sequence[Window] = ()) -> None:
        self.windows = list(windows)
        self.asked: list[timedelta] = []

    def open_windows(self, within: timedelta) -> list[Window]:
        self.asked.append(within)
        return list(self.windows)


class FakeDeadlineMarks(AbstractDeadlineMarks):
    """The deadline reminders' marks in a dictionary: (student, mark) -> keep until."""

    def __init__(self) -> None:
        self.marks: dict[tuple[str, str], float] = {}

    def claim(self, student_ref: str, mark: str, keep_until: float) -> bool:
        if (student_ref, mark) in self.marks:
            return False
        self.marks[(student_ref, mark)] = keep_until
        return True

    def release(self, student_ref: str, mark: str) -> None:
        self.marks.pop((student_ref, mark), None)
