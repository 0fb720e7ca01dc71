"""The season's planning and aftercare steps of `make demo`, orchestrated for demo.scenario: the what-if
scenario (demo.whatif), next year's board (demo.ahead) and the aftercare story (demo.aftercare). Each step is
timed and prints one English line with its figures; the summary shows them in its own language
(demo.season_summary).

The waiting helper, the timings and the cast come from demo.scenario as arguments (so this module does not
import it). Imports the standard library, stagepool_shared.auth and the demo's modules (never a service).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

from stagepool_shared.auth import Principal

from . import ahead, aftercare, variants, whatif
from . import region as demo_region
from .clients import Clients
from .pages import PageSession

if TYPE_CHECKING:
    from .scenario import Cast, Timings

Wait = Callable[..., Any]


def coordinator_pages(platform: Any, area: demo_region.DemoRegion) -> PageSession:
    """The coordinator's signed-in browser (the same principal as the demo's coordinator token)."""
    r = area.region_id
    return PageSession(platform.redis.url, Principal("coordinator-1", "regional_coordinator", r, r))


def run_whatif(platform: Any, area: demo_region.DemoRegion, timings: "Timings", wait: Wait) -> whatif.ScenarioFigures:
    """"+20 care places at one organisation" under the four policies, before and after (the matcher's pages)."""
    organisation = whatif.busiest_care_organisation(area)
    with timings.step(f"what-if: +{whatif.EXTRA} care places at {organisation}, four policies, before and after"):
        figures = whatif.run_scenario(coordinator_pages(platform, area), platform.services["matcher"].url,
                                      area.period_id, organisation, wait)
    print("  " + whatif.english_line(figures), flush=True)
    return figures


def run_planning(cast: "Cast", platform: Any, area: demo_region.DemoRegion, timings: "Timings", wait: Wait,
                 keep: str = "") -> ahead.BoardFigures:
    """Next year's period, the schools' forecasts and the organisations' supply; then the board (reporting)."""
    closing = ahead.closing_organisations(area, keep)
    with timings.step(f"next year {ahead.NEXT_YEAR}: forecasts (schools), supply (organisations) -> board"):
        cast.coordinator_intake.put_period(ahead.NEXT_PERIOD, "Stageperiode najaar 2027",
                                           ahead.NEXT_STARTS.isoformat(), ahead.NEXT_ENDS.isoformat(),
                                           list(demo_region.SECTORS))
        ahead.post_forecasts(cast.schools, area)
        posted = ahead.post_supply(cast.organisations, closing)
        pages, url = coordinator_pages(platform, area), platform.services["reporting"].url
        board = wait(lambda: _complete_board(pages, url, posted), 120, f"the board of {ahead.NEXT_YEAR} complete")
    print("  " + ahead.english_line(board), flush=True)
    return board


def _complete_board(pages: PageSession, reporting_url: str, posted: Mapping[str, int]) -> ahead.BoardFigures | None:
    answer = pages.get(f"{reporting_url}/pages/coordinator/board/{ahead.NEXT_YEAR}.csv", expect=(200, 404))
    board = ahead.parse_board_csv(answer.text) if answer.status_code == 200 else None
    return board if board is not None and ahead.complete(board, posted) else None


def run_aftercare(clients: Clients, area: demo_region.DemoRegion, record: Mapping[str, Any], timings: "Timings",
                  wait: Wait) -> aftercare.AftercareFigures:
    """Ten accepts: POKs, kennismakingen (two rejected), contact moments, evaluations, the fast track."""
    with timings.step("aftercare: 10 accepts -> POKs -> kennismaking -> contacts, evaluations, fast track"):
        figures = aftercare.run_aftercare(clients, area, record, wait)
    print("  " + aftercare.english_line(figures), flush=True)
    return figures


def read_variants(clients: Clients, area: demo_region.DemoRegion, round_id: str, timings: "Timings",
                  wait: Wait) -> list[variants.VariantLine]:
    """The period report's figures per variant, once the report lists the re-match (an empty list when the
    report has no such section)."""
    r = area.region_id
    report = clients.as_("reporting", "coordinator-1", "regional_coordinator", r, r)

    def listed() -> str | None:
        text = report.period_report(r, area.period_id, "csv")
        return text if variants.lists_round(text, round_id) else None

    with timings.step("figures per variant (period report)"):
        lines = variants.parse_report(wait(listed, 60, f"the period report listing {round_id}"))
    print("  " + variants.english_line(lines), flush=True)
    return lines
