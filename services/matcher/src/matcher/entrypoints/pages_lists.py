"""The regional coordinator's lists in the matcher (issue 14.9), each searched, filtered, 50 a page and
downloaded as XLSX with the same rows:

- a round's outcomes: every student by pseudonym (the coordinator sees no names), school (by name), place and
  organisation by name, the reason in words; filtered by outcome, school, sector and reason;
- the region's organisations: name, places, slots, sectors and periods; filtered by period and sector.

Views call the matcher's commands (`visible_record`, `round_places`, `visible_outcomes`, `region_places`) and
page with the shared `stagepool_shared.web.listing`. Imports Flask, the shared web layer and the commands.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from stagepool_shared.events.places import Place
from stagepool_shared.events.rounds import Outcome
from stagepool_shared.events.wishes import SECTORS
from stagepool_shared.web.listing import (Filter, error_texts, paginate, read_query, select, wants_xlsx,
                                          xlsx_response)
from stagepool_shared.web.pages import current_lang, page, render, t, web_session

from .. import commands
from ..errors import RoundNotFound
from . import page_figures as pf
from .web import deps, school_names

COORDINATOR = "regional_coordinator"
FIELDS = {"status": lambda r: r["status_code"], "school": lambda r: r["school_id"], "sector": lambda r: r["sector"],
          "reason": lambda r: r["reason_code"]}
COLUMNS = (("student_ref", ("Pseudoniem", "Pseudonym")), ("school", ("School", "School")),
           ("status", ("Uitkomst", "Outcome")), ("organisation", ("Organisatie", "Organisation")),
           ("place", ("Plaats", "Place")), ("sector", ("Sector", "Sector")), ("wish", ("Wens", "Wish")),
           ("travel", ("Reistijd (min)", "Travel (min)")), ("reason", ("Reden", "Reason")))

ORG_FIELDS = {"period": lambda r: r["period_list"], "sector": lambda r: r["sector_list"]}
ORG_COLUMNS = (("name", ("Organisatie", "Organisation")), ("organisation_id", ("Code", "Code")),
               ("places", ("Plaatsen", "Places")), ("slots", ("Plekken", "Slots")),
               ("sectors", ("Sectoren", "Sectors")),
               ("periods", ("Periodes", "Periods")), ("addresses", ("Adressen", "Addresses")))

bp = Blueprint("matcher_lists", __name__, url_prefix="/pages/coordinator")


def _row(outcome: Outcome, place: Place | None, lang: str, names: dict[str, str]) -> dict[str, Any]:
    placed = outcome.status in ("placed", "kept") and place is not None
    return {"student_ref": outcome.student_ref, "school_id": outcome.school_id,
            "school": names.get(outcome.school_id) or outcome.school_id, "status_code": outcome.status,
            "status": pf.word(pf.STATUSES, lang, outcome.status),
            "organisation": place.organisation_name if placed else "", "place": place.address if placed else "",
            "sector": place.sector if placed else "", "wish": pf.word(pf.MATCHES, lang, outcome.wish_match),
            "travel": outcome.travel_minutes if placed else None, "reason_code": outcome.reason_code or "",
            "reason": pf.word(pf.REASONS, lang, outcome.reason_code) if outcome.reason_code else ""}


def _filters(rows: list[dict[str, Any]], lang: str) -> list[Filter]:
    """Status, school, sector and reason, each with the values the round's outcomes have."""
    values = lambda key: sorted({r[key] for r in rows if r[key]})  # noqa: E731
    return [Filter("status", t("Uitkomst", "Outcome"),
                   [(s, pf.word(pf.STATUSES, lang, s)) for s in values("status_code")]),
            Filter("school", "School", sorted({(r["school_id"], r["school"]) for r in rows}, key=lambda o: o[1])),
            Filter("sector", "Sector", [(s, s) for s in values("sector")]),
            Filter("reason", t("Reden", "Reason"), [(c, pf.word(pf.REASONS, lang, c)) for c in values("reason_code")])]


def _not_found() -> Response:
    return render("stagepool/error.html", status=404, code=404, title=t("Niet gevonden", "Not found"),
                  message=t("Deze ronde bestaat niet of is niet voor u.",
                            "This round does not exist or is not for you."))


@bp.get("/rounds/<round_id>/outcomes")
@page(COORDINATOR)
def outcomes(round_id: str) -> Response:
    """The round's outcomes: search by pseudonym, school, place or organisation; filters; `?download=xlsx`."""
    principal, lang, d = web_session().principal, current_lang(), deps()
    try:
        record = commands.visible_record(d, principal, round_id)
    except RoundNotFound:
        return _not_found()
    places = commands.round_places(d, record)
    visible = commands.visible_outcomes(principal, d.store.outcomes(round_id))
    names = school_names(o.school_id for o in visible)  # schools in words (issue 14.16)
    rows = sorted((_row(o, places.get(o.place_id or ""), lang, names) for o in visible),
                  key=lambda r: (r["school"], r["student_ref"]))
    filters = _filters(rows, lang)
    query, errors = read_query(request.args, filters)
    found = select(rows, query, lambda r: (r["student_ref"], r["school_id"], r["school"], r["place"],
                                           r["organisation"]), FIELDS)
    if wants_xlsx(query, errors):
        return xlsx_response(found, [(key, t(*words)) for key, words in COLUMNS], f"uitkomsten-{round_id}")
    return render("matcher/outcomes.html", status=422 if errors else 200, record=record,
                  page=paginate(found, query.page), query=query, filters=filters, errors=error_texts(errors))


def _organisations(places: list[tuple[str, Place]]) -> list[dict[str, Any]]:
    """One row per organisation: its name, how many places and slots, in which sectors and periods."""
    by_org: dict[str, list[tuple[str, Place]]] = {}
    for period, place in places:
        by_org.setdefault(place.organisation_id, []).append((period, place))
    rows = []
    for org_id, items in by_org.items():
        periods, sectors = sorted({p for p, _ in items}), sorted({pl.sector for _, pl in items})
        rows.append({"organisation_id": org_id, "name": items[-1][1].organisation_name, "places": len(items),
                     "slots": sum(pl.slots for _, pl in items), "period_list": periods, "sector_list": sectors,
                     "periods": ", ".join(periods), "sectors": ", ".join(sectors),
                     "addresses": "; ".join(sorted({pl.address for _, pl in items}))})
    return sorted(rows, key=lambda r: (r["name"].casefold(), r["organisation_id"]))


@bp.get("/organisations")
@page(COORDINATOR)
def organisations() -> Response:
    """The region's organisations with open places: search by name, code or address; period and sector."""
    principal, d = web_session().principal, deps()
    rows = _organisations(commands.region_places(d, principal))
    filters = [Filter("period", t("Periode", "Period"), [(p, p) for p in d.store.periods(principal.scope)]),
               Filter("sector", "Sector", [(s, s) for s in SECTORS])]
    query, errors = read_query(request.args, filters)
    found = select(rows, query, lambda r: (r["name"], r["organisation_id"], r["addresses"]), ORG_FIELDS)
    if wants_xlsx(query, errors):
        return xlsx_response(found, [(key, t(*words)) for key, words in ORG_COLUMNS],
                             f"organisaties-{principal.scope}")
    return render("matcher/organisations.html", status=422 if errors else 200, page=paginate(found, query.page),
                  query=query, filters=filters, errors=error_texts(errors), region=principal.scope)
