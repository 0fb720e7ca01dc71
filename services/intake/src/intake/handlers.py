"""Use cases of intake: one method per command, translating validated input into events and records.

Every command follows the same order, which is what makes it crash-consistent: validate everything,
publish the events and wait for Kafka's acknowledgement (PublishFailed -> nothing stored), and only
then write intake's own records in one Redis transaction. Event ids may be derived from an
Idempotency-Key (`ids`), so a retry republishes the same event ids and consumers drop the duplicates.
Imports the domain, the ports and the shared event dataclasses.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

from stagepool_shared.auth import pseudonym
from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.events.rounds import RoundReleased
from stagepool_shared.events.students import StudentErased
from stagepool_shared.events.wishes import WishOptedOut, WishWithdrawn

from .domain.model import (
    PLACE_WITHDRAWN, WISH_ACTIVE, WISH_OPTED_OUT, WISH_WITHDRAWN, Contact, Period, PlaceRecord, School,
    StoredWrite, Student, WishRecord,
)
from .errors import Conflict, InvalidInput, NotFound
from .ports import AbstractIntakeStore, Publisher
from . import building

PRODUCER = "intake"


def event_ids(seed: str | None = None) -> Iterator[str]:
    """Fresh random event ids, or a reproducible sequence derived from a seed (an Idempotency-Key)."""
    index = 0
    while True:
        yield str(uuid.uuid5(uuid.UUID(seed), str(index))) if seed else str(uuid.uuid4())
        index += 1


@dataclass
class Prepared:
    """Events to publish and the records to store once they are acknowledged."""

    envelopes: list[Envelope] = field(default_factory=list)
    write: StoredWrite = field(default_factory=StoredWrite)

    def add(self, other: "Prepared") -> None:
        self.envelopes.extend(other.envelopes)
        self.write.students.extend(other.write.students)
        self.write.wishes.extend(other.write.wishes)
        self.write.places.extend(other.write.places)


class Intake:
    """The intake use cases over a store and a publisher."""

    def __init__(self, store: AbstractIntakeStore, publisher: Publisher, secret: bytes,
                 new_place_id: Callable[[], str] | None = None):
        self.store = store
        self.publisher = publisher
        self.secret = secret
        self.new_place_id = new_place_id or (lambda: "pl_" + uuid.uuid4().hex[:20])

    # --- shared steps -------------------------------------------------------------------------------
    def student_ref(self, school_id: str, student_number: str) -> str:
        """The pseudonym of a student: a keyed HMAC of school id and student number."""
        return pseudonym(self.secret, school_id, student_number)

    def commit(self, prepared: Prepared) -> list[Envelope]:
        """Publish (waiting for acks=all), then store. PublishFailed propagates with nothing stored."""
        if prepared.envelopes:
            self.publisher.publish_all(prepared.envelopes)
        self.store.apply(prepared.write)
        return prepared.envelopes

    def period_in_region(self, period_id: str, region_id: str | None, field_name: str,
                         cache: dict[str, Period | None] | None = None) -> Period:
        """The period, or a field error when it is unknown or belongs to another region."""
        if cache is None:
            period = self.store.get_period(period_id)
        else:
            if period_id not in cache:
                cache[period_id] = self.store.get_period(period_id)
            period = cache[period_id]
        if period is None or (region_id and period.region_id != region_id):
            raise InvalidInput({field_name: ["Unknown period."]})
        return period

    # --- wishes -------------------------------------------------------------------------------------
    def prepare_wish(self, school_id: str, region_id: str | None, student: dict[str, Any],
                     wish: dict[str, Any], event_id: str, seen: set[tuple[str, str]] | None = None,
                     cache: dict[str, Period | None] | None = None,
                     statuses: dict[tuple[str, str], str] | None = None,
                     places: dict[str, PlaceRecord | None] | None = None) -> Prepared:
        """Check one wish and build its event and records (no I/O besides reading the store).

        `statuses` (from `wish_statuses`) saves one store read per row in an import; `places` caches the
        places that rows name in their top 3.
        """
        period = self.period_in_region(wish["period_id"], region_id, "wish.period_id", cache)
        self.check_top_places(wish.get("top_places", []), period.period_id, places)
        ref = self.student_ref(school_id, student["student_number"])
        if seen is not None:
            if (ref, period.period_id) in seen:
                raise InvalidInput({"student.student_number": ["This student appears twice for this period."]})
            seen.add((ref, period.period_id))
        if statuses is None:
            previous = self.store.get_wish(ref, period.period_id)
            status = previous.status if previous else None
        else:
            status = statuses.get((ref, period.period_id))
        event_type = "wish.updated" if status == WISH_ACTIVE else "wish.submitted"
        payload, record = building.wish(ref, school_id, period, student, wish)
        envelope = new_envelope(event_type, payload, producer=PRODUCER, partition_key=period.region_id,
                                event_id=event_id)
        person = building.student(ref, school_id, student)
        return Prepared([envelope], StoredWrite(students=[person], wishes=[record]))

    def check_top_places(self, place_ids: Sequence[str], period_id: str,
                         cache: dict[str, PlaceRecord | None] | None = None) -> None:
        """A wish's top 3 names distinct places that are posted for its period and not withdrawn.

        The matcher refuses a round with a repeated top place, and a place id with a typo would silently
        count for nothing, so both are field errors here."""
        cache = {} if cache is None else cache
        problems = ["A place appears more than once in the top 3."] if len(set(place_ids)) != len(place_ids) else []
        for place_id in dict.fromkeys(place_ids):
            if place_id not in cache:
                cache[place_id] = self.store.get_place(place_id)
            place = cache[place_id]
            if place is None or place.status == PLACE_WITHDRAWN or place.period_id != period_id:
                problems.append(f"No open place with this id in this period: {place_id}.")
        if problems:
            raise InvalidInput({"wish.top_places": problems})

    def check_wish_rows(self, school_id: str, region_id: str | None, rows: Sequence[tuple[int, dict[str, Any]]],
                        seed: str | None = None) -> tuple[Prepared, list[tuple[int, str, str]]]:
        """Prepare every row of an import; (row, field, message) for each row a rule refuses."""
        ids, prepared, seen, cache, places = event_ids(seed), Prepared(), set(), {}, {}
        errors: list[tuple[int, str, str]] = []
        statuses = self.store.wish_statuses(
            [(self.student_ref(school_id, d["student"]["student_number"]), d["wish"]["period_id"]) for _, d in rows])
        for row, data in rows:
            try:
                prepared.add(self.prepare_wish(school_id, region_id, data["student"], data["wish"], next(ids),
                                               seen, cache, statuses, places))
            except InvalidInput as err:
                errors.extend((row, path, msg) for path, msgs in err.messages.items() for msg in msgs)
        return prepared, errors

    def check_place_rows(self, organisation_id: str, region_id: str | None,
                         rows: Sequence[tuple[int, dict[str, Any]]],
                         seed: str | None = None) -> tuple[Prepared, list[tuple[int, str, str]]]:
        """Prepare every row of a places import; (row, field, message) for each row a rule refuses."""
        ids, prepared, cache = event_ids(seed), Prepared(), {}
        errors: list[tuple[int, str, str]] = []
        for row, data in rows:
            try:
                prepared.add(self.prepare_place(organisation_id, region_id, data, next(ids), cache=cache))
            except InvalidInput as err:
                errors.extend((row, path, msg) for path, msgs in err.messages.items() for msg in msgs)
        return prepared, errors

    def submit_wishes(self, school_id: str, region_id: str | None,
                      items: Sequence[tuple[dict[str, Any], dict[str, Any]]], seed: str | None = None) -> list[Envelope]:
        """Submit or update wishes (one or a whole file) as one all-or-nothing batch."""
        ids, prepared, seen = event_ids(seed), Prepared(), set()
        for student, wish in items:
            prepared.add(self.prepare_wish(school_id, region_id, student, wish, next(ids), seen))
        return self.commit(prepared)

    def own_wish(self, school_id: str, ref: str, period_id: str) -> WishRecord:
        wish = self.store.get_wish(ref, period_id)
        if wish is None or wish.school_id != school_id:
            raise NotFound()
        return wish

    def withdraw_wish(self, school_id: str, ref: str, period_id: str, reason: str,
                      seed: str | None = None) -> Envelope:
        """The school withdraws a wish: publish wish.withdrawn, then mark it withdrawn."""
        return self._end_wish(school_id, ref, period_id, WISH_WITHDRAWN, seed,
                              lambda w: WishWithdrawn(ref, school_id, w.payload["region_id"], period_id, reason))

    def opt_out(self, school_id: str, ref: str, period_id: str, own_place: bool,
                seed: str | None = None) -> Envelope:
        """The student found a place of their own: publish wish.opted_out, then mark it."""
        return self._end_wish(school_id, ref, period_id, WISH_OPTED_OUT, seed,
                              lambda w: WishOptedOut(ref, school_id, w.payload["region_id"], period_id, own_place))

    def _end_wish(self, school_id: str, ref: str, period_id: str, status: str, seed: str | None,
                  payload_of: Callable[[WishRecord], Any]) -> Envelope:
        wish = self.own_wish(school_id, ref, period_id)
        if wish.status != WISH_ACTIVE:
            raise Conflict("The wish is no longer active.")
        event_type = "wish.withdrawn" if status == WISH_WITHDRAWN else "wish.opted_out"
        envelope = new_envelope(event_type, payload_of(wish), producer=PRODUCER,
                                partition_key=wish.payload["region_id"], event_id=next(event_ids(seed)))
        record = WishRecord(wish.student_ref, wish.school_id, wish.period_id, wish.payload, status, wish.leerwens)
        return self.commit(Prepared([envelope], StoredWrite(wishes=[record])))[0]

    # --- students -----------------------------------------------------------------------------------
    def own_student(self, school_id: str, ref: str) -> Student:
        student = self.store.get_student(ref)
        if student is None or student.school_id != school_id:
            raise NotFound()
        return student

    def student_file(self, school_id: str, ref: str) -> tuple[Student, list[WishRecord]]:
        """A school's own student with their wishes."""
        return self.own_student(school_id, ref), self.store.wishes_of_student(ref)

    def students_of_school(self, school_id: str) -> list[str]:
        return self.store.students_of_school(school_id)

    def erase_student(self, school_id: str, ref: str, region_id: str | None, seed: str | None = None) -> Envelope:
        """Erasure (right to be forgotten): publish student.erased, then remove the personal data."""
        self.own_student(school_id, ref)
        wishes = self.store.wishes_of_student(ref)
        school = self.store.get_school(school_id)
        region = (wishes[0].payload["region_id"] if wishes else None) or (school.region_id if school else None) \
            or region_id or "unknown"
        envelope = new_envelope("student.erased", StudentErased(ref, school_id, region), producer=PRODUCER,
                                partition_key=region, event_id=next(event_ids(seed)))
        self.publisher.publish(envelope)
        self.store.erase_student(ref)
        return envelope

    # --- places -------------------------------------------------------------------------------------
    def prepare_place(self, organisation_id: str, region_id: str | None, data: dict[str, Any], event_id: str,
                      place_id: str | None = None, cache: dict[str, Period | None] | None = None) -> Prepared:
        """Check one place and build its event and record."""
        period = self.period_in_region(data["period_id"], region_id, "period_id", cache)
        event_type = "place.updated" if place_id else "place.posted"
        payload, record = building.place(place_id or self.new_place_id(), organisation_id, period, data)
        envelope = new_envelope(event_type, payload, producer=PRODUCER, partition_key=period.region_id,
                                event_id=event_id)
        return Prepared([envelope], StoredWrite(places=[record]))

    def post_places(self, organisation_id: str, region_id: str | None, items: Sequence[dict[str, Any]],
                    seed: str | None = None) -> list[Envelope]:
        """Post new places (one or a whole file) as one all-or-nothing batch."""
        ids, prepared = event_ids(seed), Prepared()
        for data in items:
            prepared.add(self.prepare_place(organisation_id, region_id, data, next(ids)))
        return self.commit(prepared)

    def own_place(self, organisation_id: str, place_id: str) -> PlaceRecord:
        place = self.store.get_place(place_id)
        if place is None or place.organisation_id != organisation_id:
            raise NotFound()
        return place

    def update_place(self, organisation_id: str, region_id: str | None, place_id: str, data: dict[str, Any],
                     seed: str | None = None) -> Envelope:
        """Replace an own, active place: publish place.updated, then store it."""
        place = self.own_place(organisation_id, place_id)
        if place.status == PLACE_WITHDRAWN:
            raise Conflict("The place was withdrawn.")
        return self.commit(self.prepare_place(organisation_id, region_id, data, next(event_ids(seed)), place_id))[0]

    def withdraw_place(self, organisation_id: str, place_id: str, seed: str | None = None) -> Envelope:
        """Withdraw an own place: publish place.withdrawn, then mark it."""
        place = self.own_place(organisation_id, place_id)
        if place.status == PLACE_WITHDRAWN:
            raise Conflict("The place was withdrawn.")
        payload = building.place_withdrawn(place)
        envelope = new_envelope("place.withdrawn", payload, producer=PRODUCER,
                                partition_key=payload.region_id, event_id=next(event_ids(seed)))
        record = PlaceRecord(place.place_id, place.organisation_id, place.period_id, place.payload, PLACE_WITHDRAWN)
        return self.commit(Prepared([envelope], StoredWrite(places=[record])))[0]

    # --- periods and schools (regional coordinator) -------------------------------------------------
    def create_period(self, region_id: str, data: dict[str, Any]) -> Period:
        """Create or replace a period of the coordinator's region."""
        existing = self.store.get_period(data["period_id"])
        if existing is not None and existing.region_id != region_id:
            raise Conflict("This period id is in use.")
        period = building.period(region_id, data)
        self.store.save_period(period)
        return period

    def list_periods(self, region_id: str | None) -> list[Period]:
        return [p for p in self.store.list_periods() if not region_id or p.region_id == region_id]

    def register_school(self, region_id: str, data: dict[str, Any]) -> School:
        """Register (or re-register) a school of the coordinator's region."""
        existing = self.store.get_school(data["school_id"])
        if existing is not None and existing.region_id != region_id:
            raise Conflict("This school id is in use.")
        school = School(school_id=data["school_id"], region_id=region_id, name=data["name"],
                        contact_email=data["contact_email"], webhook_url=data.get("webhook_url"))
        self.store.save_school(school)
        return school

    def school(self, school_id: str) -> School:
        school = self.store.get_school(school_id)
        if school is None:
            raise NotFound()
        return school

    # --- release and contacts (notifier) ------------------------------------------------------------
    def record_release(self, envelope: Envelope) -> bool:
        """round.released: remember which students may now be contacted (once per event)."""
        if not isinstance(envelope.payload, RoundReleased):
            return False
        refs = sorted({o.student_ref for o in envelope.payload.outcomes})
        return self.store.mark_released(envelope.event_id, refs)

    def contacts(self, refs: Sequence[str]) -> tuple[list[Contact], list[str]]:
        """Contact data of released students; the others are listed as not found."""
        found: list[Contact] = []
        missing: list[str] = []
        for ref in dict.fromkeys(refs):
            student = self.store.get_student(ref) if self.store.is_released(ref) else None
            if student is None:
                missing.append(ref)
            else:
                found.append(Contact(ref, student.school_id, student.name, student.email, student.phone))
        return found, missing


HANDLERS: dict[str, str] = {"round.released": "record_release"}
