"""The summary `make demo` prints: placed per school, fairness figures, unplaced by reason, top-1/top-3
share, step timings, and the addresses of the pages, the metrics and the demo accounts.

Pure formatting of what the scenario saw (the round as the matcher serves it). Imports the standard
library and stagepool_shared.web.links only.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from stagepool_shared.web.links import HOME_BY_ROLE, WebLinks


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain text table, columns as wide as their widest cell; numbers right-aligned."""
    body = [[_cell(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(headers)]
    numeric = [bool(body) and all(_is_number(r[i]) for r in body) for i in range(len(headers))]
    fmt = lambda cells: "  ".join(c.rjust(w) if n else c.ljust(w)  # noqa: E731
                                  for c, w, n in zip(cells, widths, numeric)).rstrip()
    return "\n".join([fmt(list(headers)), fmt(["-" * w for w in widths]), *(fmt(r) for r in body)])


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1%}" if 0 <= value <= 1 else f"{value:.1f}"
    return str(value)


def _is_number(text: str) -> bool:
    return text.replace(".", "", 1).replace("%", "").replace("-", "", 1).isdigit()


def school_table(summary: dict[str, Any], names: dict[str, str]) -> str:
    rows = [(names.get(r["school_id"], r["school_id"]), r["seeking"], r["placed"], float(r["rate"]))
            for r in summary["school_rates"]]
    rows.append(("total", summary["students"], summary["placed"],
                 summary["placed"] / summary["students"] if summary["students"] else 0.0))
    return table(("school", "seeking", "placed", "rate"), rows)


def fairness_table(summary: dict[str, Any]) -> str:
    return table(("figure", "value"), [
        ("worst school rate", float(summary["worst_school_rate"])),
        ("best school rate", float(summary["best_school_rate"])),
        ("spread (best - worst)", f"{summary['school_spread'] * 100:.1f} pp"),
        ("top-1 share (of all students)", float(summary["top1_share"])),
        ("top-3 share (of all students)", float(summary["top3_share"])),
    ])


def unplaced_table(summary: dict[str, Any]) -> str:
    reasons = sorted(summary.get("unplaced_by_reason", {}).items(), key=lambda kv: -kv[1])
    return table(("unplaced by reason", "students"), reasons or [("(none)", 0)])


def timing_table(steps: Sequence[tuple[str, float]]) -> str:
    rows = [(name, f"{seconds:.1f} s") for name, seconds in steps]
    rows.append(("total", f"{sum(s for _, s in steps):.1f} s"))
    return table(("step", "took"), rows)


def address_lines(urls: dict[str, str], region_id: str, period_id: str) -> list[str]:
    links = WebLinks(**{name: urls[name] for name in ("intake", "matcher", "notifier", "reporting")})
    lines = [f"  login page            {links.url('intake', '/login')}  (each service has /login)"]
    lines += [f"  {role:<21} {links.home(role)}" for role in HOME_BY_ROLE if role != "service"]
    lines += [f"  metrics {name:<13} {url}/metrics" for name, url in urls.items()]
    lines.append(f"  period report         {links.url('reporting', f'/api/v1/reports/{region_id}/{period_id}.html')}"
                 " (coordinator token)")
    return lines


def print_summary(result: Any, platform: Any) -> None:
    """Print everything a visitor of the demo needs (result: scenario.DemoResult)."""
    area, record = result.region, result.round
    summary = record["summary"]
    names = {s.school_id: s.name for s in area.schools}
    slots, care = area.total_slots(), area.total_slots("zorg")
    care_students = sum(1 for s in area.students if s.sector == "zorg")
    print(f"\nDemo region {area.region_id}, period {area.period_id}: {len(area.students)} students at "
          f"{len(area.schools)} schools, {len(area.organisations)} organisations, {slots} slots "
          f"({slots / len(area.students):.0%} of students; care {care} for {care_students} care students)")
    print(f"round {record['round_id']} (seed {record['manifest']['seed']}, output "
          f"{record['manifest']['output_hash'][:12]}…), status {record['status']}, "
          f"{result.delivered} e-mails delivered to the local SMTP server\n")
    for block in (school_table(summary, names), fairness_table(summary), unplaced_table(summary),
                  timing_table(result.timings.steps)):
        print(block + "\n")
    print("Addresses")
    for line in address_lines({n: s.url for n, s in platform.services.items()}, area.region_id, area.period_id):
        print(line)
    print("\nDemo accounts for the pages (passwords made for this run only)")
    print(table(("username", "password", "role"), result.accounts))
