"""The round page's figures per matching variant (issue 15.5): the matcher keeps each school's `variant.set`
(the latest per school, crebo and period, once per event), and a computed round's page shows per variant and
per school and pool the share placed at their first choice, a candidate, a top-3 place or none; without any
setting the block is left out (every student is of variant 1 and the figures above say it all)."""

from __future__ import annotations

import re

from stagepool_shared.events.rounds import Outcome
from stagepool_shared.events.variants import VariantSet

from matcher import handlers
from matcher.entrypoints.page_variants import variant_rows
from tests.fakes.matcher import PERIOD, REGION, event, wish
from tests.unit.matcher.test_pages_matcher import coordinator_round


def setting(school: str, variant: int, k: int = 3) -> VariantSet:
    return VariantSet(REGION, school, "25491", PERIOD, variant, k)


def block(body: str) -> list[list[str]]:
    table = body.split('id="variant-figures"')[1].split("</table>")[0]
    return [re.findall(r"<td>([^<]*)</td>", row) for row in table.split("<tr")[2:]]


def test_the_matcher_keeps_the_latest_variant_per_school_and_programme_once_per_event(deps):
    first = event("variant.set", setting("sch-a", 2, 4))
    handlers.handle(first, deps)
    handlers.handle(event("variant.set", setting("sch-b", 3)), deps)
    assert deps.store.variants(REGION, PERIOD) == {("sch-a", "25491"): (2, 4), ("sch-b", "25491"): (3, 3)}
    handlers.handle(event("variant.set", setting("sch-a", 1)), deps)
    handlers.handle(first, deps)  # redelivered: changes nothing
    assert deps.store.variants(REGION, PERIOD)[("sch-a", "25491")] == (1, 3)


def test_the_round_page_shows_the_figures_per_variant_of_the_schools(deps, app, accounts):
    handlers.handle(event("variant.set", setting("sch-a", 3)), deps)
    client, round_id = coordinator_round(deps, app, accounts)
    body = client.get(f"/pages/coordinator/rounds/{round_id}?lang=en").get_data(as_text=True)
    rows = block(body)
    totals = {row[0]: row for row in rows if row[1] == "all schools"}
    assert set(totals) == {"1", "3"}
    assert totals["3"][3] == "2" and totals["1"][3] == "1"  # sch-a's two students use variant 3, sch-b's one 1
    outcomes = {o.student_ref: o for o in deps.store.outcomes(round_id)}
    placed_a = sum(outcomes[s].status in ("placed", "kept") for s in ("stu-1", "stu-3"))
    assert totals["3"][7] == f"{(2 - placed_a) / 2 * 100:.1f}%"  # none: not placed at anything named
    assert any(row[1] == "sch-a" or row[1].startswith("ROC") for row in rows if row[0] == "3")


def test_without_any_setting_the_round_page_has_no_variant_block(deps, app, accounts):
    client, round_id = coordinator_round(deps, app, accounts)
    assert 'id="variant-figures"' not in client.get(f"/pages/coordinator/rounds/{round_id}").get_data(as_text=True)


def test_a_candidate_share_counts_placements_at_a_place_offered_and_is_unknown_without_offers():
    wishes = [wish("s1", "sch-a"), wish("s2", "sch-a"), wish("s3", "sch-a")]
    outcomes = [Outcome("s1", "sch-a", "placed", "p1", "o1", "top1"), Outcome("s2", "sch-a", "placed", "p9", "o9"),
                Outcome("s3", "sch-a", "unplaced")]
    rows = variant_rows(outcomes, wishes, lambda *_: 2, {"s1": ["p1", "p2"], "s2": ["p3", "p4"]}, lang="en")
    assert rows[0] == ("2", "all schools", "", "3", "33.3%", "33.3%", "33.3%", "66.7%")
    assert variant_rows(outcomes, wishes, lambda *_: 2, None, lang="en")[0][5] == "–"
