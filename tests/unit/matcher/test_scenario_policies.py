"""The scenario baselines on small hand-checked pools (issue 16.4): deferred acceptance is stable under its
priorities, justified envy is counted pair by pair, first-come serves in turn and keeps reserved slots for
their school, and the figures count ranks, reasons and travel as docs/whatif.md says."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from matcher.domain.tables import build_tables
from matcher.scenarios import policies as pol
from matcher.scenarios.envy import blocking_pairs, justified_envy
from matcher.scenarios.figures import figures
from matcher.scenarios.market import build_market, seats_of_places

from solver_support import Reservation, generate, km_east, place, round_of, wish


def market_of(wishes, places, **changes):
    return build_market(build_tables(round_of(wishes, places, **changes)))


def three_ranked_places():
    """Three students who all rank A > B > C (their top-3); one slot each."""
    wishes = [wish(f"s{i}", top_places=("A", "B", "C")) for i in range(3)]
    return market_of(wishes, [place("A"), place("B"), place("C")])


def seats(market, *place_ids):
    """Seat group (the general seats of the place) per canonical student, from place ids (None: unplaced)."""
    ids = market.tables.places.ids
    return np.array([ids.index(p) if p else -1 for p in place_ids], dtype=np.int64)


def test_preferences_follow_the_named_places_then_the_rules_wish_order():
    market = three_ranked_places()
    ids = market.tables.places.ids
    lists = [[ids[market.seat_place[q]] for q in market.pref_seat[a:b]]
             for a, b in zip(market.starts[:-1], market.starts[1:])]
    assert lists == [["A", "B", "C"]] * 3


def test_envy_counts_each_student_who_wanted_a_place_held_by_someone_the_lottery_ranks_lower():
    market = three_ranked_places()
    # canonical student 0 is first in the common lottery, 2 last; the allocation is the reverse of it
    envy = justified_envy(market, seats(market, "C", "B", "A"), pol.common_lottery(market))
    # 0 envies the holders of A (2) and B (1); 1 envies the holder of A (2); 2 envies nobody
    assert (envy.pairs, envy.students) == (3, 2)


def test_an_unplaced_student_envies_every_lower_ranked_holder_of_a_place_it_could_have_had():
    market = three_ranked_places()
    envy = justified_envy(market, seats(market, None, "A", "B"), pol.common_lottery(market))
    assert (envy.pairs, envy.students) == (2, 1)


def test_the_lottery_order_itself_has_no_justified_envy():
    market = three_ranked_places()
    allocation = seats(market, "A", "B", "C")
    assert justified_envy(market, allocation, pol.common_lottery(market)).pairs == 0
    assert blocking_pairs(market, allocation, pol.common_lottery(market)) == 0


def test_deferred_acceptance_with_one_lottery_gives_the_first_drawn_student_the_first_choice():
    market = three_ranked_places()
    seat = pol.deferred_acceptance(market, pol.common_lottery(market))
    assert seat.tolist() == seats(market, "A", "B", "C").tolist()


def test_a_wish_left_over_at_a_free_seat_counts_as_a_blocking_pair():
    market = three_ranked_places()
    # A is free and all three want it more (3 wasted wishes); 1 (unplaced) envies 2 at C (1 pair); nobody
    # else envies: B is held by 0, ranked above 1 and 2
    assert blocking_pairs(market, seats(market, "B", None, "C"), pol.common_lottery(market)) == 4


def brute_force_blocking(market, seat, base):
    """Every (student, wanted seat group) that is wasted or held by a lower-ranked student: plain loops."""
    holders = {}
    for s, q in enumerate(seat.tolist()):
        if q >= 0:
            holders.setdefault(q, []).append(s)
    key = lambda s, q: int(market.keys(np.array([s]), np.array([q]), base(np.array([s]), np.array([q])))[0])  # noqa: E731
    count = 0
    for s in range(market.n_students):
        for q in market.pref_seat[market.starts[s]:market.starts[s + 1]].tolist():
            if q == seat[s]:
                break
            held = holders.get(q, [])
            if len(held) < market.seat_cap[q] or any(key(s, q) < key(t, q) for t in held):
                count += 1
    return count


def test_deferred_acceptance_is_stable_under_either_lottery_on_a_generated_region():
    market = build_market(build_tables(generate(300, 5)))
    for base in (pol.common_lottery(market), pol.place_lottery(market)):
        seat = pol.deferred_acceptance(market, base)
        assert (seat >= 0).sum() > 100
        assert blocking_pairs(market, seat, base) == 0
        assert brute_force_blocking(market, seat, base) == 0
        used = np.bincount(seat[seat >= 0], minlength=len(market.seat_cap))
        assert (used <= market.seat_cap).all()


def test_the_lotteries_differ_so_the_per_place_lottery_can_leave_envy_under_the_common_one():
    market = build_market(build_tables(generate(300, 5)))
    per_place = pol.deferred_acceptance(market, pol.place_lottery(market))
    assert justified_envy(market, per_place, pol.common_lottery(market)).pairs > 0


def test_reserved_seats_go_to_their_school_first_and_are_released_to_others_only_when_unused():
    reserved = place("A", slots=1, reserved=(Reservation("S2", 1),))
    wishes = [wish("x", school_id="S1", top_places=("A",)), wish("y", school_id="S2", top_places=("A",))]
    market = market_of(wishes, [reserved])
    seat = pol.deferred_acceptance(market, pol.common_lottery(market))
    winner = market.tables.students.refs[int(np.nonzero(seat >= 0)[0][0])]
    assert winner == "y" and (seat >= 0).sum() == 1
    alone = market_of(wishes[:1], [reserved])
    assert (pol.deferred_acceptance(alone, pol.common_lottery(alone)) >= 0).sum() == 1  # released to S1
    assert (pol.first_come(alone) >= 0).sum() == 0  # first-come keeps it for S2


def test_first_come_serves_the_schools_side_by_side_in_turn():
    wishes = [wish(f"a{i}", school_id="S1", top_places=("A",)) for i in range(3)] + [
        wish("b0", school_id="S2", top_places=("A",))]
    market = market_of(wishes, [place("A", slots=1)])
    turn = pol.arrival_order(market)
    refs = market.tables.students.refs
    assert sorted(turn.tolist()) == [0, 1, 2, 3]
    assert turn[refs.index("b0")] <= 1  # the first of S2 comes before S1's second
    seat = pol.first_come(market)
    assert refs[int(np.nonzero(seat >= 0)[0][0])] == refs[int(np.argmin(turn))]
    assert justified_envy(market, seat, pol.arrival_key(market), skip_foreign=True).pairs == 0


def test_figures_count_ranks_reasons_and_travel_of_an_allocation():
    wishes = [wish("s0", top_places=("A", "B")), wish("s1", top_places=("B", "A")),
              wish("s2", top_places=("A",)), wish("s3", crebo="99999")]
    near, far = place("A"), place("B", location=km_east(5))
    market = market_of(wishes, [near, far])
    rt = market.tables
    by_ref = {ref: i for i, ref in enumerate(rt.students.refs)}
    place_of = np.full(4, -1)
    place_of[by_ref["s0"]], place_of[by_ref["s1"]] = rt.place_index["A"], rt.place_index["B"]
    seat = seats_of_places(market, place_of)
    fig = figures("x", rt, place_of, market.eligible, justified_envy(market, seat, pol.common_lottery(market)))
    assert fig.placed == 2 and fig.unplaced_by_reason == {"ALL_TAKEN": 1, "NO_ELIGIBLE_PLACE": 1}
    assert fig.ranks == {"top1": 2, "top3": 2, "other": 0, "none": 2}
    assert fig.travel_total == 26 and fig.travel_median == 13.0  # 0 minutes to A (at home), 26 by bike to B
    assert fig.worst_rate == 0.5 and fig.spread == 0.0


def test_a_pool_without_places_or_students_compares_without_error():
    from stagepool_shared.testing.samples import sample_payload

    from matcher.rounds.pool import Pool
    from matcher.scenarios.compare import POLICIES, compare

    empty = compare(Pool("R1", "P1", None, (), ()), 1)
    assert [p.placed for p in empty.policies] == [0, 0, 0, 0]
    alone = replace(sample_payload("wish.submitted"), region_id="R1", period_id="P1")
    lonely = compare(Pool("R1", "P1", None, (alone,), ()), 1)
    assert [p.policy for p in lonely.policies] == list(POLICIES)
    assert all(p.unplaced_by_reason == {"NO_ELIGIBLE_PLACE": 1} for p in lonely.policies)
