"""Variant 2 in the matcher's Redis store on a real redis-server (issue 15.3): a frozen input carries the
period's variants; a candidates round keeps its offers with its outcomes (status "offered"); a final round
freezes the candidates round's input, its offers and the students' choices, once; erasure drops the student
from the offers and the frozen offers and choices."""

from __future__ import annotations

import uuid

from stagepool_shared.events.rounds import Manifest, Outcome, RoundRequested
from stagepool_shared.events.variants import VariantSet

from matcher.domain.variant2 import Offer
from matcher.rounds.compute import RoundResult
from matcher.rounds.summary import summarise
from tests.integration.test_matcher_store import eid, place, region, store, wish  # noqa: F401 (fixtures)

PERIOD = "2027-p1"


def test_a_final_round_freezes_its_candidates_round_its_offers_and_the_choices_once(store, region):  # noqa: F811
    for ref in ("stu-1", "stu-2"):
        store.put_wish(eid(), wish(ref, region))
    store.put_place(eid(), place("plc-1", region))
    store.put_variant(eid(), VariantSet(region, "sch-noorderpoort", "25491", PERIOD, 2, 3))
    cand, final = f"rnd-c-{uuid.uuid4().hex[:6]}", f"rnd-f-{uuid.uuid4().hex[:6]}"
    store.note_requested(RoundRequested(cand, region, PERIOD, 1, "usr", "candidates"), "2027-01-01T00:00:00+00:00")
    pool, _ = store.freeze_pool(cand, "2027-01-01T00:00:00+00:00")
    assert pool.variants == (("sch-noorderpoort", "25491", 2, 3),) and pool.offers == {} and pool.choices == {}
    outcomes = tuple(Outcome(r, "sch-noorderpoort", "placed", "plc-1", "org-1") for r in ("stu-1", "stu-2"))
    result = RoundResult(outcomes, summarise(outcomes), Manifest("a" * 64, 1, "s", "1", "c", "b" * 64),
                         ("sch-noorderpoort",), (), (Offer("stu-1", "plc-1", ("plc-1", "plc-2")),
                                                     Offer("stu-2", "plc-1", ("plc-1",))), status="offered")
    assert store.save_proposal(eid(), cand, result, "2027-01-01T00:01:00+00:00")
    assert store.get_round(cand).status == "offered"
    assert store.offers(cand) == {"stu-1": ("plc-1", "plc-2"), "stu-2": ("plc-1",)}

    store.put_wish(eid(), wish("stu-3", region))  # arrives later: not in the final round's input
    store.note_requested(RoundRequested(final, region, PERIOD, 1, "usr", "final", previous_round_id=cand), "x")
    frozen, _ = store.freeze_pool(final, "2027-01-02T00:00:00+00:00", cand, {"stu-1": ("plc-2",)})
    again, _ = store.freeze_pool(final, "2027-01-03T00:00:00+00:00", cand, {"stu-1": ("plc-1",)})
    assert frozen == again and {w.student_ref for w in frozen.wishes} == {"stu-1", "stu-2"}
    assert frozen.offers == store.offers(cand) and frozen.choices == {"stu-1": ("plc-2",)}
    assert frozen.variants == pool.variants

    assert store.erase_student(eid(), region, "stu-1")
    assert store.offers(cand) == {"stu-2": ("plc-1",)}
    erased, _ = store.freeze_pool(final, "later")
    assert "stu-1" not in erased.offers and erased.choices == {}
