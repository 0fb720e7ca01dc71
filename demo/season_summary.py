"""The summary's blocks of the season's planning and aftercare parts: next year's board (issue 16), the what-if
scenario's difference per policy (issue 16) and the aftercare figures (issue 20). Dutch by default, English
with `lang="en"`.

Pure formatting of what the services answered (demo.ahead, demo.whatif, demo.aftercare hold the figures);
no number here is the demo's own. Imports the standard library, the shared opt-out wording, demo.summary's table
and words, and the figure types.
"""

from __future__ import annotations

import textwrap
from typing import Any, Mapping, Sequence

from stagepool_shared.events.planning import OPT_OUT_REASON_WORDS

from .ahead import BoardFigures, board_rows
from .aftercare import AftercareFigures
from .summary import LANGS, WIDTH, table, word
from .variants import VariantLine
from .variants import rows as variant_rows
from .whatif import ScenarioFigures, comparison_rows

SENTENCES: dict[str, tuple[str, str]] = {
    "board": ("Volgend schooljaar {year}: het bord vraag en aanbod van de coördinator (reporting). De scholen "
              "gaven hun prognose per opleiding, de organisaties kopieerden hun plaatsen van vorig jaar. Vorig "
              "jaar = de wensen van dezelfde periode dit jaar; aantallen onder de 5 staan als <5.",
              "Next school year {year}: the coordinator's supply-and-demand board (reporting). The schools posted "
              "their forecast per programme, the organisations copied last year's places. Last year = the wishes "
              "of the same period this year; counts under 5 read <5."),
    "participation": ("Organisaties: {taking_part} doen mee, {opted_out} afgemeld ({reasons}), {not_open} niet "
                      "open voor stagematching; {warnings} waarschuwing(en) op het bord.",
                      "Organisations: {taking_part} taking part, {opted_out} opted out ({reasons}), {not_open} not "
                      "open to stagematching; {warnings} warning(s) on the board."),
    "scenario": ("Wat-als-scenario {scenario} (matcher): +{extra} zorgplekken bij {org}, doorgerekend onder de vier "
                 "manieren van verdelen, voor en na de wijziging. Het echte aanbod en de rondes veranderen niet.",
                 "What-if scenario {scenario} (matcher): +{extra} care places at {org}, computed under the four "
                 "policies, before and after the edit. The live pool and the rounds do not change."),
    "variants": ("Per matchingvariant (perioderapport van reporting): het deel van de studenten geplaatst op hun "
                 "eerste keus, op een aangeboden kandidaat (variant 2), op een van hun top-3, of op geen daarvan. "
                 "Zonder instelling heeft een opleiding variant 1; welke school een andere variant gebruikt, staat "
                 "onder de tabel.",
                 "Per matching variant (reporting's period report): the share of the students placed at their first "
                 "choice, at a candidate offered (variant 2), at one of their top 3, or at none of these. Without a "
                 "setting a programme has variant 1; which school uses another variant is said below the table."),
    "aftercare": ("Nazorg (reporting): {accepted} studenten accepteerden hun plaats. POK's: {poks}. Kennismaking: "
                  "{rejected} afgewezen na het gesprek ({reasons}); taken voor de school (organisatie bellen): "
                  "{open} open, {done} afgehandeld.",
                  "Aftercare (reporting): {accepted} students accepted their place. POKs: {poks}. Kennismaking: "
                  "{rejected} rejected after the conversation ({reasons}); tasks for the school (call the "
                  "organisation): {open} open, {done} done."),
    "fast_track": ("Snelle herplaatsing (matcher): {rounds} ronde(s) voor losse studenten ({statuses}).",
                   "Fast-track re-placement (matcher): {rounds} round(s) for single students ({statuses})."),
    "re_placed": ("{placed} afgewezen student(en) zo opnieuw geplaatst; het voorstel was er in een mediaan van "
                  "{median} na de afwijzing (goedkeuring door de school inbegrepen).",
                  "{placed} rejected student(s) placed anew this way; the proposal was out a median {median} after "
                  "the rejection (the school's approval included)."),
    "contacts": ("Contactmomenten (reporting): bij {compliant} van de {followed} gestarte stages de drie van de regel "
                 "(een op de werkplek); {missing} contactmoment(en) ontbreken nog.",
                 "Contact moments (reporting): {compliant} of the {followed} started internships have the three of the "
                 "rule (one on site); {missing} contact moment(s) still missing."),
    "evaluations": ("Evaluatie (perioderapport): gestarte stages {started}; geëvalueerd door student {student}, "
                    "organisatie {organisation}, school {school}.",
                    "Evaluation (period report): internships started {started}; evaluated by the student {student}, "
                    "the organisation {organisation}, the school {school}."),
}
LABELS: dict[str, tuple[str, str]] = {
    "sector": ("sector", "sector"), "demand": ("vraag", "demand"), "supply": ("aanbod", "supply"),
    "gap": ("tekort", "gap"), "last_year": ("vorig jaar", "last year"), "trend": ("trend", "trend"),
    "warning": ("waarschuwing", "warning"), "policy": ("beleid", "policy"),
    "placed_before": ("geplaatst voor", "placed before"), "placed_after": ("geplaatst na", "placed after"),
    "difference": ("verschil", "difference"), "worst": ("laagste schoolpercentage", "worst school rate"),
    "top1": ("top-1", "top-1"), "none": ("geen", "none"), "yes": ("ja", "yes"),
    "variant": ("variant", "variant"), "students": ("studenten", "students"),
    "first_choice": ("eerste keus", "first choice"), "any_candidate": ("een kandidaat", "any candidate"),
    "top3": ("top-3", "top-3"), "none_named": ("geen daarvan", "none of these"),
}
POLICIES: dict[str, tuple[str, str]] = {
    "a": ("Stagepool-regel", "Stagepool rule"),
    "b": ("uitgesteld accepteren, één loting", "deferred acceptance, one lottery"),
    "c": ("uitgesteld accepteren, loting per plaats", "deferred acceptance, lottery per place"),
    "d": ("wie het eerst komt, per school", "first come, per school"),
}
CODES: dict[str, tuple[str, str]] = {
    "draft": ("concept", "draft"), "sent": ("verstuurd", "sent"), "signed": ("ondertekend", "signed"),
    "active": ("lopend", "active"), "ended": ("afgerond", "ended"), "ended_early": ("voortijdig beëindigd",
                                                                                   "ended early"),
    "requested": ("wordt berekend", "being computed"), "proposed": ("voorgesteld", "proposed"),
    "released": ("vrijgegeven", "released"), "failed": ("mislukt", "failed"),
    "no_place_available": ("geen plek beschikbaar", "no place available"),
    "wishes_mismatch": ("leerwensen passen niet bij het werk", "learning wishes do not match the work"),
    "competences_mismatch": ("competenties passen niet", "competences do not match"),
    "attitude": ("houding", "attitude"), "team_fit": ("past niet in het team", "does not fit the team"),
    **{code: (nl.lower(), en.lower()) for code, (nl, en) in OPT_OUT_REASON_WORDS.items()},
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[LANGS.index(lang)]


def _say(key: str, lang: str, **values: Any) -> str:
    return textwrap.fill(_pick(SENTENCES[key], lang).format(**values), WIDTH)


def _label(key: str, lang: str) -> str:
    return _pick(LABELS[key], lang)


def _counts(counts: Mapping[str, int], lang: str) -> str:
    """"1 concept, 2 verstuurd": each code worded, in the order given; "geen" when empty."""
    order = list(CODES)
    ranked = sorted(counts.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0]))
    return ", ".join(f"{n} {_pick(CODES.get(code, (code, code)), lang)}" for code, n in ranked) \
        or _label("none", lang)


def board_block(board: BoardFigures, lang: str = "nl") -> str:
    """Next year's board: the sentence, one row per sector (the board's cells), participation."""
    headers = [_label(k, lang) for k in ("sector", "demand", "supply", "gap", "last_year", "trend", "warning")]
    p = board.participation
    return "\n\n".join([
        _say("board", lang, year=board.school_year),
        table(headers, board_rows(board, lambda sector: word(lang, sector), _label("yes", lang))),
        _say("participation", lang, taking_part=p.get("taking_part", 0), opted_out=p.get("opted_out", 0),
             not_open=p.get("not_open", 0), reasons=_counts(board.opt_out_reasons, lang), warnings=board.warnings)])


def scenario_block(figures: ScenarioFigures, lang: str = "nl") -> str:
    """The scenario's difference per policy: placed before, after, the difference; worst rate and top-1."""
    names = {letter: _pick(pair, lang) for letter, pair in POLICIES.items()}
    headers = [_label(k, lang) for k in ("policy", "placed_before", "placed_after", "difference", "worst", "top1")]
    return "\n\n".join([_say("scenario", lang, scenario=figures.scenario_id, extra=figures.extra,
                             org=figures.organisation_id),
                        table(headers, comparison_rows(figures, names))])


def aftercare_block(figures: AftercareFigures, lang: str = "nl") -> str:
    """The aftercare figures in one paragraph; the fast-track rounds in a second one when there are any."""
    text = _say("aftercare", lang, accepted=figures.accepted, poks=_counts(figures.poks, lang),
                rejected=sum(figures.rejections.values()), reasons=_counts(figures.rejections, lang),
                open=figures.tasks.get("open", 0), done=figures.tasks.get("done", 0))
    if figures.fast_track:
        parts = [_pick(SENTENCES["fast_track"], lang).format(rounds=sum(figures.fast_track.values()),
                                                             statuses=_counts(figures.fast_track, lang))]
        if figures.median_fast_track_s is not None:
            parts.append(_pick(SENTENCES["re_placed"], lang).format(
                placed=figures.re_placed, median=f"{figures.median_fast_track_s:.0f} s"))
        text += "\n" + textwrap.fill(" ".join(parts), WIDTH)
    if figures.contacts:
        text += "\n" + _say("contacts", lang, **figures.contacts)
    if figures.evaluations:
        cells = {by: figures.evaluations.get(by, {}) for by in ("student", "organisation", "school")}
        shown = {by: f"{c.get('evaluated', '-')} ({c.get('response_share', '-')})" for by, c in cells.items()}
        text += "\n" + _say("evaluations", lang, started=cells["student"].get("placements_started", "-"), **shown)
    return text


def variants_block(lines: list[VariantLine], lang: str = "nl", below: Sequence[str] = ()) -> str:
    """The period report's figures per variant: a row per variant; `below`: the demo's lines per variant (who
    chose, who got their choice)."""
    headers = [_label(k, lang) for k in ("variant", "students", "first_choice", "any_candidate", "top3", "none_named")]
    return "\n\n".join([_say("variants", lang), table(headers, variant_rows(lines)), *below])


def season_blocks(board: BoardFigures | None, scenario: ScenarioFigures | None, aftercare: AftercareFigures | None,
                  lang: str = "nl", variants: list[VariantLine] | None = None,
                  variant_lines: Sequence[str] = ()) -> list[str]:
    """The blocks that exist, in order: board, scenario, figures per variant (with `variant_lines` below the
    table), aftercare."""
    return ([board_block(board, lang)] if board else []) + ([scenario_block(scenario, lang)] if scenario else []) \
        + ([variants_block(variants, lang, variant_lines)] if variants or variant_lines else []) \
        + ([aftercare_block(aftercare, lang)] if aftercare else [])
