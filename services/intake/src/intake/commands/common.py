"""The steps every intake command shares: event ids, the prepared batch, "publish, then store", the pseudonym
and the period check.

Every command that publishes follows pattern A, **publish, then store**: validate everything, publish the
events and wait for Kafka's acknowledgement (PublishFailed -> nothing stored), and only then write intake's
own records in one Redis transaction (`commit`). Event ids may be derived from an Idempotency-Key (`seed`),
so a retry republishes the same event ids and consumers drop the duplicates.
Imports the domain, the ports and the shared envelope.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

from stagepool_shared.auth import pseudonym
from stagepool_shared.envelope import Envelope

from ..domain.model import Period, StoredWrite
from ..errors import InvalidInput
from ..ports import Deps

PRODUCER = "intake"

#: One refused row of an import: (row number, field path, English message).
RowProblem = tuple[int, str, str]


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
    #: Writes to other stores than intake's main one (capacity planning, issue 16), run after `write`.
    stores: list[Callable[[Deps], None]] = field(default_factory=list)

    def add(self, other: "Prepared") -> None:
        self.envelopes.extend(other.envelopes)
        self.write.students.extend(other.write.students)
        self.write.wishes.extend(other.write.wishes)
        self.write.places.extend(other.write.places)
        self.stores.extend(other.stores)


def commit(deps: Deps, prepared: Prepared) -> list[Envelope]:
    """Publish (waiting for acks=all), then store. PublishFailed propagates with nothing stored."""
    if prepared.envelopes:
        deps.publisher.publish_all(prepared.envelopes)
    deps.store.apply(prepared.write)
    for store in prepared.stores:
        store(deps)
    return prepared.envelopes


def prepare_rows(rows: Sequence[tuple[int, dict[str, Any]]], prepare: Callable[[dict[str, Any], str], Prepared],
                 seed: str | None = None) -> tuple[Prepared, list[RowProblem]]:
    """Prepare every row of an import with the next event id; a problem per message of each refused row."""
    ids, prepared = event_ids(seed), Prepared()
    problems: list[RowProblem] = []
    for row, data in rows:
        try:
            prepared.add(prepare(data, next(ids)))
        except InvalidInput as err:
            problems.extend((row, path, msg) for path, msgs in err.messages.items() for msg in msgs)
    return prepared, problems


def student_ref(deps: Deps, school_id: str, student_number: str) -> str:
    """The pseudonym of a student: a keyed HMAC of school id and student number."""
    return pseudonym(deps.pseudonym_secret, school_id, student_number)


def period_in_region(deps: Deps, period_id: str, region_id: str | None, field_name: str,
                     cache: dict[str, Period | None] | None = None) -> Period:
    """The period, or a field error when it is unknown or belongs to another region."""
    if cache is None:
        period = deps.store.get_period(period_id)
    else:
        if period_id not in cache:
            cache[period_id] = deps.store.get_period(period_id)
        period = cache[period_id]
    if period is None or (region_id and period.region_id != region_id):
        raise InvalidInput({field_name: ["Unknown period."]})
    return period
