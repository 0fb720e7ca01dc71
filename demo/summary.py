"""The summary `make demo` prints: placement and fairness per pool, the region total, unplaced by reason,
step timings, and the addresses of the pages, the metrics and the demo accounts. Dutch by default, English
with `lang="en"`.

Fairness is shown per pool (region, period, sector), because that is where the matcher evens out the
schools' placement rates (docs/matching.md 1.4); the region line is a plain total across pools. Pure
formatting of what the scenario saw (the round as the matcher serves it, the pools of the imported
students). Imports the standard library, demo.pools and stagepool_shared.web.links only.
"""

from __future__ import annotations

import textwrap
from typing import Any, Iterable, Mapping, Sequence

from stagepool_shared.web.links import HOME_BY_ROLE, WebLinks

from .pools import UNKNOWN, PoolFigures, PoolKey, disagreements, pool_figures, region_total

LANGS = ("nl", "en")
WIDTH = 110  # sentences are wrapped at this width
#: The summary's sentences: per key, the Dutch and the English text side by side.
SENTENCES: dict[str, dict[str, str]] = {
    "region": {
        "nl": "Demoregio {region}, periode {period}: {students} studenten op {schools} scholen, {orgs} "
              "organisaties, {slots} stageplaatsen ({share:.0%} van de studenten; zorg {care} voor "
              "{care_students} zorgstudenten)",
        "en": "Demo region {region}, period {period}: {students} students at {schools} schools, {orgs} "
              "organisations, {slots} slots ({share:.0%} of students; care {care} for {care_students} care "
              "students)",
    },
    "round": {
        "nl": "Ronde {round_id} (seed {seed}, uitvoer {output}…), status {status}, {delivered} e-mails "
              "afgeleverd bij de lokale SMTP-server",
        "en": "Round {round_id} (seed {seed}, output {output}…), status {status}, {delivered} e-mails "
              "delivered to the local SMTP server",
    },
    "pools": {
        "nl": "Plaatsing per pool. De eerlijkheidsregel maakt de plaatsingspercentages van de scholen gelijk "
              "binnen elke pool (regio, periode, sector), niet tussen pools.",
        "en": "Placement per pool. The fairness rule evens out the schools' placement rates within each pool "
              "(region, period, sector), not between pools.",
    },
    "legend": {
        "nl": "verschil = hoogste min laagste schoolpercentage in de pool, in procentpunten (pp); top-1 / "
              "top-3 = geplaatst op de eerste keus / een van de drie keuzes, als deel van de studenten van de "
              "pool die plaatsen noemden; geen passende plaats = geen enkele plaats voldoet aan alle harde "
              "criteria (de regel kan hen niet plaatsen).",
        "en": "spread = best minus worst school rate in the pool, in percentage points (pp); top-1 / top-3 = "
              "placed at the first wish / one of the three wishes, as a share of the pool's students who named "
              "places; no eligible place = no place meets every hard constraint (the rule cannot place them).",
    },
    "total": {
        "nl": "Regio {region}, totaal over alle pools (geen eerlijkheidscijfer): {placed} van {seeking} "
              "geplaatst ({rate:.1%}), top-1 {top1:.1%}, top-3 {top3:.1%}",
        "en": "Region {region}, total across pools (not a fairness figure): {placed} of {seeking} placed "
              "({rate:.1%}), top-1 {top1:.1%}, top-3 {top3:.1%}",
    },
    "certified": {
        "nl": "Onafhankelijk nagerekend door de matcher: geen enkele verdeling plaatst meer dan {max} "
              "studenten (deze ronde: {placed}), en met zoveel geplaatst komt de school die er het slechtst "
              "aan toe is nooit hoger uit dan {bound:.1%} (deze ronde: {worst:.1%}).",
        "en": "Independently checked by the matcher: no allocation places more than {max} students (this "
              "round: {placed}), and with that many placed the worst-off school never gets higher than "
              "{bound:.1%} (this round: {worst:.1%}).",
    },
    "mismatch": {
        "nl": "LET OP: de pools tellen {seeking} studenten en {placed} geplaatst, de matcher {m_seeking} en "
              "{m_placed}.",
        "en": "WARNING: the pools count {seeking} students and {placed} placed, the matcher {m_seeking} and "
              "{m_placed}.",
    },
    "pool_mismatch": {
        "nl": "LET OP: {sector} / {school}: hier {ours}, in de samenvatting van de matcher {theirs} "
              "(studenten/geplaatst).",
        "en": "WARNING: {sector} / {school}: here {ours}, in the matcher's summary {theirs} (students/placed).",
    },
    "accounts": {
        "nl": "Inloggen voor elke rol: accounts voor de pagina's op {login} (wachtwoorden alleen voor deze run)",
        "en": "Sign in as every role: accounts for the pages at {login} (passwords made for this run only)",
    },
    "links": {
        "nl": "Studenten: persoonlijke links uit de e-mails van de lokale SMTP-server (openen = ingelogd)",
        "en": "Students: personal links from the e-mails on the local SMTP server (open one to be signed in)",
    },
    "rematch": {
        "nl": "herverdeling: {kept} behouden, {moved_binding} bindende plaatsingen verschoven, {placed_new} nieuw "
              "geplaatst",
        "en": "re-match: kept {kept}, moved {moved_binding} binding placements, placed {placed_new} new",
    },
    "rematch_step": {
        "nl": "Tweede stap van het seizoen: 3 late aanmeldingen, 1 weigering en 1 ingetrokken plaats, daarna "
              "herverdeling {round_id}. Bindende plaatsingen (geaccepteerd of binnen de antwoordtermijn) blijven "
              "staan.",
        "en": "Second step of the season: 3 late students, 1 refusal and 1 withdrawn place, then re-match "
              "{round_id}. Binding placements (accepted or within their answer window) stay where they are.",
    },
}

#: The summary's short labels: per key, (Dutch, English).
LABELS: dict[str, tuple[str, str]] = {
    "pool": ("pool", "pool"),
    "school": ("school", "school"),
    "seeking": ("studenten", "students"),
    "placed": ("geplaatst", "placed"),
    "rate": ("percentage", "rate"),
    "no_eligible": ("geen passende plaats", "no eligible place"),
    "worst": ("laagste school", "worst school"),
    "best": ("hoogste school", "best school"),
    "spread": ("verschil", "spread"),
    "top1": ("top-1", "top-1"),
    "top3": ("top-3", "top-3"),
    "unplaced": ("niet geplaatst, reden", "unplaced by reason"),
    "students": ("studenten", "students"),
    "none": ("(geen)", "(none)"),
    "step": ("stap", "step"),
    "took": ("duur", "took"),
    "total_row": ("totaal", "total"),
    "addresses": ("Adressen", "Addresses"),
    "login": ("inlogpagina", "login page"),
    "each_login": ("(elke dienst heeft /login)", "(each service has /login)"),
    "report": ("perioderapport", "period report"),
    "coordinator_token": ("(token van de coördinator)", "(coordinator token)"),
    "username": ("gebruikersnaam", "username"),
    "password": ("wachtwoord", "password"),
    "role": ("rol", "role"),
    "who": ("wie", "who"),
    "student_link": ("student", "student"),
}

#: Every sentence and label of the summary: per key, the Dutch and the English text side by side.
TEXT: dict[str, dict[str, str]] = {**SENTENCES, **{key: dict(zip(LANGS, pair)) for key, pair in LABELS.items()}}

WORDS: dict[str, dict[str, str]] = {
    "nl": {"released": "vrijgegeven", "proposed": "voorgesteld", UNKNOWN: "onbekend",
           "NO_ELIGIBLE_PLACE": "geen plaats voldoet aan alle harde criteria",
           "ALL_TAKEN_UNDER_FAIR_SHARE": "passende plaatsen, alle bezet bij een eerlijke verdeling"},
    "en": {"zorg": "care", "welzijn": "welfare", "techniek": "technology", "handel": "retail",
           "horeca": "hospitality", "ict": "ICT", UNKNOWN: "unknown",
           "NO_ELIGIBLE_PLACE": "no place meets every hard constraint",
           "ALL_TAKEN_UNDER_FAIR_SHARE": "eligible places, all taken under a fair share"},
}


def text(lang: str, key: str, **values: Any) -> str:
    """The sentence `key` in `lang` with `values` filled in."""
    return TEXT[key][lang].format(**values)


def paragraph(lang: str, key: str, **values: Any) -> str:
    """The sentence `key` wrapped at WIDTH characters."""
    return textwrap.fill(text(lang, key, **values), WIDTH)


def word(lang: str, code: str) -> str:
    """The word for a code (sector, status, reason) in `lang`; the code itself when there is none."""
    return WORDS[lang].get(code, code)


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
    head = text.removesuffix("%").removesuffix(" pp").removesuffix(" s")
    return head.replace(".", "", 1).replace("-", "", 1).isdigit()


def pool_label(pool: PoolKey, several_periods: bool, lang: str) -> str:
    """The sector's name, with the period in front when the round spans several periods."""
    sector = word(lang, pool.sector)
    return f"{pool.period_id} {sector}" if several_periods else sector


def _labels(figures: Sequence[PoolFigures], lang: str) -> list[str]:
    several = len({f.pool.period_id for f in figures}) > 1
    return [pool_label(f.pool, several, lang) for f in figures]


def pool_school_table(figures: Sequence[PoolFigures], names: Mapping[str, str], lang: str = "nl") -> str:
    """One row per school and pool: students, placed, rate, unplaced without any eligible place."""
    rows = [(label if i == 0 else "", names.get(school, school), c.seeking, c.placed, c.rate, c.no_eligible)
            for f, label in zip(figures, _labels(figures, lang)) for i, (school, c) in enumerate(f.schools.items())]
    keys = ("pool", "school", "seeking", "placed", "rate", "no_eligible")
    return table([text(lang, k) for k in keys], rows)


def pool_table(figures: Sequence[PoolFigures], lang: str = "nl") -> str:
    """One row per pool: students, placed, rate, worst and best school rate, spread (pp), top-1 and top-3."""
    rows = [(label, f.total.seeking, f.total.placed, f.total.rate, f.worst_rate, f.best_rate,
             f"{f.spread_pp:.1f} pp", f.total.top1_share, f.total.top3_share)
            for f, label in zip(figures, _labels(figures, lang))]
    keys = ("pool", "seeking", "placed", "rate", "worst", "best", "spread", "top1", "top3")
    return table([text(lang, k) for k in keys], rows)


def total_lines(figures: Sequence[PoolFigures], region_id: str, summary: Mapping[str, Any],
                lang: str = "nl") -> list[str]:
    """The region total across pools (one line); a warning wherever the counts differ from the matcher's own
    summary (the whole round, and each school of each pool when the summary has its rows per pool)."""
    total = region_total(figures)
    lines = [text(lang, "total", region=region_id, placed=total.placed, seeking=total.seeking, rate=total.rate,
                  top1=total.top1_share, top3=total.top3_share)]
    if (total.seeking, total.placed) != (summary["students"], summary["placed"]):
        lines.append(paragraph(lang, "mismatch", seeking=total.seeking, placed=total.placed,
                               m_seeking=summary["students"], m_placed=summary["placed"]))
    lines += [paragraph(lang, "pool_mismatch", sector=word(lang, sector), school=school, ours=_pair(ours),
                        theirs=_pair(theirs)) for sector, school, ours, theirs in disagreements(figures, summary)]
    if summary.get("max_placeable") is not None and summary.get("fair_bound") is not None:
        lines.append(paragraph(lang, "certified", max=summary["max_placeable"], placed=summary["placed"],
                               bound=summary["fair_bound"], worst=summary["worst_school_rate"]))
    return lines


def _pair(counts: tuple[int, int] | None) -> str:
    return "–" if counts is None else f"{counts[0]}/{counts[1]}"


def placement_section(record: Mapping[str, Any], pools: Mapping[str, PoolKey], names: Mapping[str, str],
                      lang: str = "nl") -> str:
    """Per pool the schools and the fairness figures, then the region total (record: the round as served)."""
    figures = pool_figures(record["outcomes"], pools)
    return "\n\n".join([paragraph(lang, "pools"), pool_school_table(figures, names, lang), pool_table(figures, lang),
                        paragraph(lang, "legend"),
                        "\n".join(total_lines(figures, record["region_id"], record["summary"], lang))])


def unplaced_table(summary: Mapping[str, Any], lang: str = "nl") -> str:
    """Unplaced students by the matcher's reason code, most frequent first."""
    reasons = sorted(summary.get("unplaced_by_reason", {}).items(), key=lambda kv: -kv[1])
    rows = [(f"{word(lang, code)} ({code})", n) for code, n in reasons]
    return table((text(lang, "unplaced"), text(lang, "students")), rows or [(text(lang, "none"), 0)])


def timing_table(steps: Sequence[tuple[str, float]], lang: str = "nl") -> str:
    """How long each step took (the scenario's own step names), and the sum."""
    rows = [(name, f"{seconds:.1f} s") for name, seconds in steps]
    rows.append((text(lang, "total_row"), f"{sum(s for _, s in steps):.1f} s"))
    return table((text(lang, "step"), text(lang, "took")), rows)


def address_lines(urls: dict[str, str], region_id: str, period_id: str, lang: str = "nl") -> list[str]:
    """Where the login page, each role's pages, the metrics and the period report live."""
    links = WebLinks(**{name: urls[name] for name in ("intake", "matcher", "notifier", "reporting")})
    lines = [f"  {text(lang, 'login'):<21} {links.url('intake', '/login')}  {text(lang, 'each_login')}"]
    lines += [f"  {role:<21} {links.home(role)}" for role in HOME_BY_ROLE if role != "service"]
    lines += [f"  metrics {name:<13} {url}/metrics" for name, url in urls.items()]
    lines.append(f"  {text(lang, 'report'):<21} "
                 f"{links.url('reporting', f'/api/v1/reports/{region_id}/{period_id}.html')} "
                 f"{text(lang, 'coordinator_token')}")
    return lines


def heading_lines(result: Any, lang: str = "nl") -> list[str]:
    """The region and the round in two sentences (result: scenario.DemoResult)."""
    area, record = result.region, result.round
    slots, students = area.total_slots(), len(area.students)
    return [text(lang, "region", region=area.region_id, period=area.period_id, students=students,
                 schools=len(area.schools), orgs=len(area.organisations), slots=slots, share=slots / students,
                 care=area.total_slots("zorg"), care_students=sum(1 for s in area.students if s.sector == "zorg")),
            text(lang, "round", round_id=record["round_id"], seed=record["manifest"]["seed"],
                 output=record["manifest"]["output_hash"][:12], status=word(lang, record["status"]),
                 delivered=result.delivered)]


#: Who each demo account is, by role: (Dutch, English).
WHO: dict[str, tuple[str, str]] = {
    "regional_coordinator": ("regiocoördinator", "regional coordinator"),
    "desk_staff": ("meldpunt", "desk"),
    "school_staff": ("schoolmedewerker", "school staff"),
    "support_staff": ("zorgcoördinator (ondersteuning)", "support staff"),
    "organisation_staff": ("organisatie", "organisation"),
}
SECOND_APPROVER = ("tweede fiatteur", "second approver")


def who(username: str, role: str, lang: str = "nl") -> str:
    """What a demo account stands for; a school's second staff account (`…-2`) is its second approver."""
    pair = SECOND_APPROVER if role == "school_staff" and username.endswith("-2") else WHO.get(role, (role, role))
    return pair[LANGS.index(lang)]


def rematch_lines(figures: Any, lang: str = "nl") -> list[str]:
    """The second step of the season: what happened, then one line with the figures (figures: RematchFigures)."""
    if figures is None:
        return []
    return [paragraph(lang, "rematch_step", round_id=figures.round_id),
            text(lang, "rematch", kept=figures.kept, moved_binding=figures.moved_binding,
                 placed_new=figures.placed_new)]


def sign_in_lines(accounts: Sequence[tuple[str, str, str]], links: Sequence[str], login_url: str,
                  lang: str = "nl") -> list[str]:
    """Every role's sign-in: the page accounts (who, username, password, role), then the students' links."""
    rows = [(who(user, role, lang), user, password, role) for user, password, role in accounts]
    lines = [text(lang, "accounts", login=login_url),
             *table([text(lang, k) for k in ("who", "username", "password", "role")], rows).splitlines(), "",
             text(lang, "links")]
    lines += [f"  {text(lang, 'student_link')} {i}: {link}" for i, link in enumerate(links, 1)]
    return lines


def print_summary(result: Any, platform: Any, lang: str = "nl", season: Sequence[str] = ()) -> None:
    """Print everything a visitor of the demo needs (result: scenario.DemoResult; season: the planning and
    aftercare blocks of demo.season_summary, printed after the unplaced students)."""
    area, record = result.region, result.round
    names = {s.school_id: s.name for s in area.schools}
    print("\n" + "\n".join(heading_lines(result, lang)) + "\n")
    if getattr(result, "rematch", None) is not None:
        print("\n".join(rematch_lines(result.rematch, lang)) + "\n")
    for block in (placement_section(record, result.pools, names, lang), unplaced_table(record["summary"], lang),
                  *season, timing_table(result.timings.steps, lang)):
        print(block + "\n")
    print(text(lang, "addresses"))
    for line in address_lines({n: s.url for n, s in platform.services.items()}, area.region_id, area.period_id,
                              lang):
        print(line)
    login = WebLinks(**{n: s.url for n, s in platform.services.items()}).url("intake", "/login")
    print("\n" + "\n".join(sign_in_lines(result.accounts, getattr(result, "student_links", []), login, lang)))
