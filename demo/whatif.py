"""One what-if scenario in `make demo` (issue 16): "+20 care places at one organisation", compared under the
matcher's four policies, as a coordinator runs it on the matcher's scenario pages.

The coordinator copies the period's live pool into a scenario and has it computed (all four policies), adds
the edit (+20 care places at the organisation with the most care slots) and has it computed again; both
comparisons are read from the scenario's XLSX export (the same rows as the page's table). The difference per
policy is after minus before, both as the matcher computed them. The live pool, the rounds and Kafka never
see the scenario. Imports the standard library, openpyxl and demo.clients / demo.pages / demo.region
(never a service).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Mapping

from openpyxl import load_workbook

from . import region as demo_region
from .clients import Wait
from .pages import PageSession

EXTRA, SECTOR = 20, "zorg"
#: The export's English row labels the demo reads, by the demo's own key.
FIGURES = {"students": "Students", "placed": "Placed", "worst": "Worst school rate",
           "top1": "At the first choice (top-1)", "envy": "Justified envy: pairs"}
LETTERS = ("a", "b", "c", "d")

Comparison = dict[str, dict[str, Any]]  # policy letter -> figure key -> value as exported


@dataclass(frozen=True)
class ScenarioFigures:
    """The scenario, its edit and the comparison of the four policies before and after the edit."""

    scenario_id: str
    organisation_id: str
    extra: int
    before: Comparison
    after: Comparison

    def placed_difference(self, letter: str) -> int:
        return int(self.after[letter]["placed"]) - int(self.before[letter]["placed"])


def busiest_care_organisation(area: demo_region.DemoRegion) -> str:
    """The organisation with the most care slots (ties: the smallest id)."""
    slots = {o.organisation_id: sum(p.slots for p in o.places if p.sector == SECTOR) for o in area.organisations}
    return min(slots, key=lambda org: (-slots[org], org))


def parse_export(content: bytes) -> Comparison:
    """The export (a header row "Figure", "(a) …", …, then one row per figure) as letter -> figure -> value."""
    rows = list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))
    header, body = rows[0], {str(r[0]): r[1:] for r in rows[1:] if r and r[0] is not None}
    letters = [str(title)[1] for title in header[1:]]  # "(a) Stagepool rule" -> "a"
    return {letter: {key: body.get(label, (None,) * len(letters))[i] for key, label in FIGURES.items()}
            for i, letter in enumerate(letters)}


def run_scenario(session: PageSession, matcher_url: str, period_id: str, organisation_id: str, wait: Wait,
                 timeout: float = 180) -> ScenarioFigures:
    """Copy the pool, compute it, add +EXTRA care places at the organisation, compute again."""
    base = f"{matcher_url}/pages/coordinator/scenarios"
    created = session.post(base, {"period_id": period_id})
    url = f"{base}/{created.url.rstrip('/').rsplit('/', 1)[-1]}"
    before = _computed(session, url, wait, timeout)
    session.post(f"{url}/edits", {"kind": "places", "change": EXTRA, "organisation_id": organisation_id,
                                  "sector": SECTOR})
    after = _computed(session, url, wait, timeout)
    return ScenarioFigures(url.rsplit("/", 1)[-1], organisation_id, EXTRA, before, after)


def _computed(session: PageSession, url: str, wait: Wait, timeout: float) -> Comparison:
    session.post(f"{url}/run")

    def export() -> Comparison | None:
        answer = session.get(f"{url}/export.xlsx", expect=(200, 409), lang="en")
        return parse_export(answer.content) if answer.status_code == 200 else None
    return wait(export, timeout, f"the scenario {url.rsplit('/', 1)[-1]} computed")


def english_line(figures: ScenarioFigures) -> str:
    """One short line for the run's progress output: placed before -> after per policy."""
    parts = [f"({x}) {figures.before[x]['placed']}->{figures.after[x]['placed']} ({figures.placed_difference(x):+d})"
             for x in LETTERS if x in figures.after and x in figures.before]
    return f"what-if +{figures.extra} care places at {figures.organisation_id}: placed " + ", ".join(parts)


def comparison_rows(figures: ScenarioFigures, names: Mapping[str, str]) -> list[tuple[Any, ...]]:
    """Per policy: placed before, after and the difference; worst school rate and top-1 before -> after."""
    rows = []
    for x in LETTERS:
        if x not in figures.after or x not in figures.before:
            continue
        b, a = figures.before[x], figures.after[x]
        rows.append((f"({x}) {names.get(x, x)}", b["placed"], a["placed"], f"{figures.placed_difference(x):+d}",
                     f"{b['worst']} -> {a['worst']}", f"{b['top1']} -> {a['top1']}"))
    return rows
