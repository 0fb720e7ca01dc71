"""Next school year's supply-and-demand board in `make demo` (issue 16): the schools post their demand
forecasts and the organisations their supply through intake's planning API, as a school and an organisation
would; the coordinator then reads the board from reporting.

- the coordinator creates next year's period (`2027-najaar`, school year 2027-2028);
- each school posts one forecast line per programme (crebo), level and study year: this year's students of
  that line times the school's own expectation per sector (GROWTH), `POST /api/v1/forecasts`;
- each organisation copies last year's places as next year's supply in one step
  (`POST /api/v1/supply/copy-last-year`), except one that opts out (no supervisor) and one that is not open to
  stagematching (`PUT /api/v1/participation`): their supply counts for nothing on the board;
- once the board shows every organisation's statement (the planning events share the region's partition, so
  the forecasts before them are in too), the coordinator's board download
  (`/pages/coordinator/board/2027-2028.csv`, the same figures as the page, small cells as <5) is read and
  parsed. The trend compares with this year's wishes in 2026-najaar, the demo's own period.

The figures printed are the board's, never the demo's own sums. Imports the standard library,
stagepool_shared's planning vocabulary and demo.clients / demo.region (never a service).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Mapping, Sequence

from stagepool_shared.events.planning import OPT_OUT_REASON_WORDS

from . import region as demo_region
from .clients import ApiError, IntakeClient

NEXT_PERIOD, NEXT_YEAR = "2027-najaar", "2027-2028"
NEXT_STARTS, NEXT_ENDS = date(2027, 9, 1), date(2028, 1, 28)
#: What the schools expect next year per sector, as a factor of this year's students.
GROWTH = {"zorg": 1.10, "welzijn": 1.05, "techniek": 1.00, "handel": 0.95, "horeca": 1.00, "ict": 1.05}
COUNTS = ("forecast", "actual", "demand", "supply", "gap", "last_year", "trend", "warning")
#: The board CSV names participation in English words; back to the codes.
STATUS_WORDS = {"Taking part": "taking_part", "Opted out": "opted_out", "Not open to stagematching": "not_open"}
REASON_PREFIX = "Reason for opting out: "
#: The board CSV names an opt-out reason in English words (the shared wording); back to the code.
REASON_CODES = {english: code for code, (_, english) in OPT_OUT_REASON_WORDS.items()}


@dataclass(frozen=True)
class Closing:
    """The organisations that do not take part next year."""

    opted_out: str
    not_open: str


@dataclass(frozen=True)
class BoardLine:
    """One period and sector of the board, as the board shows it (counts as text: small cells read <5)."""

    period_id: str
    sector: str
    values: Mapping[str, str]


@dataclass(frozen=True)
class BoardFigures:
    """Next year's board as reporting serves it."""

    school_year: str
    sectors: tuple[BoardLine, ...]
    participation: Mapping[str, int] = field(default_factory=dict)
    opt_out_reasons: Mapping[str, int] = field(default_factory=dict)

    @property
    def warnings(self) -> int:
        return sum(1 for line in self.sectors if line.values.get("warning"))


def forecast_lines(school: demo_region.School, period_id: str = NEXT_PERIOD) -> list[dict[str, Any]]:
    """The school's demand lines: per crebo, level and study year, this year's students times GROWTH."""
    counts = Counter((s.sector, s.crebo, s.level, s.study_year) for s in school.students)
    return [{"period_id": period_id, "crebo": crebo, "level": level, "study_year": year,
             "students": round(n * GROWTH.get(sector, 1.0))}
            for (sector, crebo, level, year), n in sorted(counts.items())]


def closing_organisations(area: demo_region.DemoRegion, keep: str = "") -> Closing:
    """The first care organisation (other than `keep`) opts out; the first hospitality one is not open."""
    by_sector = lambda sector: [o.organisation_id for o in area.organisations  # noqa: E731
                                if o.places and o.places[0].sector == sector and o.organisation_id != keep]
    return Closing(by_sector("zorg")[0], by_sector("horeca")[0])


def post_forecasts(schools: Mapping[str, IntakeClient], area: demo_region.DemoRegion) -> int:
    """Every school posts its demand lines (one all-or-nothing request each); returns the events accepted."""
    accepted = 0
    for school in area.schools:
        answer = schools[school.school_id].call(
            "POST", "/api/v1/forecasts", expect=(202,), json={"lines": forecast_lines(school)},
            headers={"Idempotency-Key": f"demo-forecasts-{school.school_id}-{NEXT_YEAR}"})
        accepted += int(answer["accepted"])
    return accepted


def post_supply(organisations: Mapping[str, IntakeClient], closing: Closing, workers: int = 4) -> dict[str, int]:
    """Every organisation copies last year's places, or says it does not take part; how many did each (the
    participation the board should then show: `taking_part`, `opted_out`, `not_open`).

    An organisation whose only place was withdrawn has nothing to copy (intake's field error at school_year)."""
    def one(org_id: str) -> tuple[str, int]:
        client = organisations[org_id]
        if org_id in (closing.opted_out, closing.not_open):
            status = "opted_out" if org_id == closing.opted_out else "not_open"
            body = {"school_year": NEXT_YEAR, "status": status,
                    "reason_code": "no_supervisor" if status == "opted_out" else None}
            client.call("PUT", "/api/v1/participation", expect=(202,), json=body,
                        headers={"Idempotency-Key": f"demo-participation-{org_id}"})
            return status, 1
        answer = client.call("POST", "/api/v1/supply/copy-last-year", expect=(202, 422),
                             json={"school_year": NEXT_YEAR}, headers={"Idempotency-Key": f"demo-supply-{org_id}"})
        if "accepted" not in answer:
            if "school_year" not in str(answer):
                raise ApiError("POST", f"copy-last-year of {org_id}", 422, answer)
            return "nothing_to_copy", 1
        return "taking_part", 1

    totals: Counter = Counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for kind, count in pool.map(one, sorted(organisations)):
            totals[kind] += count
    return dict(totals)


def complete(board: BoardFigures, posted: Mapping[str, int]) -> bool:
    """Whether the board shows every organisation's statement (then reporting has consumed every planning event:
    they share one partition, the region's, and the schools' forecasts went first)."""
    return all(board.participation.get(status, 0) == posted.get(status, 0)
               for status in ("taking_part", "opted_out", "not_open"))


def unquote(cell: str) -> str:
    """A CSV cell as shown: the download quotes formula-like text ("'+120"), the summary shows "+120"."""
    return cell[1:] if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@") else cell


def parse_board_csv(text: str) -> BoardFigures:
    """The board download (long format: region, school_year, section, key, key2, key3, column, value)."""
    sectors: dict[tuple[str, str], dict[str, str]] = {}
    participation: dict[str, int] = {}
    reasons: dict[str, int] = {}
    year = ""
    for row in csv.DictReader(io.StringIO(text)):
        year = row["school_year"]
        if row["section"] == "board_sectors":
            sectors.setdefault((row["key"], row["key2"]), {})[row["column"]] = unquote(row["value"])
        elif row["section"] == "board_participation" and row["key"].startswith(REASON_PREFIX):
            reason = row["key"].removeprefix(REASON_PREFIX)
            reasons[REASON_CODES.get(reason, reason)] = int(row["value"])
        elif row["section"] == "board_participation":
            participation[STATUS_WORDS.get(row["key"], row["key"])] = int(row["value"])
    lines = tuple(BoardLine(period, sector, values) for (period, sector), values in sorted(sectors.items()))
    return BoardFigures(year, lines, participation, reasons)


def english_line(board: BoardFigures) -> str:
    """One short line for the run's progress output."""
    p = board.participation
    return (f"board {board.school_year}: {len(board.sectors)} sectors, {board.warnings} warnings; organisations "
            f"taking part {p.get('taking_part', 0)}, opted out {p.get('opted_out', 0)}, "
            f"not open {p.get('not_open', 0)}")


def board_rows(board: BoardFigures, sector_word: Callable[[str], str], yes: str = "yes") -> list[Sequence[str]]:
    """One row per sector: demand, supply, gap, last year, trend (the board's own cells) and `yes` at a warning."""
    return [(sector_word(line.sector), *(line.values.get(k, "") for k in ("demand", "supply", "gap", "last_year",
                                                                          "trend")),
             yes if line.values.get("warning") else "")
            for line in board.sectors]
