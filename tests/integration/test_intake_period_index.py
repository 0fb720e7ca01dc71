"""Intake's period index of wishes (issue 15.4) on a real redis-server: wishes stored before the index existed
are added to it once, on the first start, so their students get the deadline reminders too."""

from __future__ import annotations

from intake.domain.model import StoredWrite, WishRecord
from tests.integration.test_intake_placement_statuses import store  # noqa: F401  (the fixture, real Redis)


def wish(ref: str, period_id: str) -> WishRecord:
    return WishRecord(ref, "school-a", period_id, {"student_ref": ref, "period_id": period_id})


def test_wishes_stored_before_the_index_are_indexed_once_and_an_erased_student_stays_out(store):
    store.apply(StoredWrite(wishes=[wish("stu-1", "p1"), wish("stu-2", "p1"), wish("stu-3", "p2")]))
    for period_id in ("p1", "p2"):  # the layout before the index: the wishes without their period sets
        store.client.delete(store._k("period", period_id, "students"))
    assert store.wishes_of_period("p1") == [] and store.wishes_of_period("p2") == []

    assert store.index_wishes_by_period() == 3
    assert [w.student_ref for w in store.wishes_of_period("p1")] == ["stu-1", "stu-2"]
    assert [w.student_ref for w in store.wishes_of_period("p2")] == ["stu-3"]

    store.erase_student("stu-2")
    store.client.sadd(store._k("period", "p1", "students"), "stu-2")  # as if indexed while being erased
    assert [w.student_ref for w in store.wishes_of_period("p1")] == ["stu-1"]
    assert store.index_wishes_by_period() == 0  # the marker: a second start does not scan again
