"""The words of a student's placement status on the school's pages (issue 14.8), in Dutch and English: placed
where (organisation and address by name), or why not; the answer (accepted, or refused with its reason, or
"not suitable"); and what happens next. Codes never reach the page. Imports the shared i18n and web layer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from stagepool_shared.i18n import local_time
from stagepool_shared.web.pages import t

from ...commands import ShownStatus

NOT_PLACED = {
    "NO_ELIGIBLE_PLACE": ("geen plaats voldoet aan alle harde criteria", "no place meets every hard constraint"),
    "ALL_TAKEN_UNDER_FAIR_SHARE": ("passende plaatsen allemaal bezet bij eerlijke verdeling",
                                   "eligible places all taken under a fair share"),
    "PLACE_WITHDRAWN": ("de toegezegde plaats is ingetrokken", "the committed place was withdrawn"),
}
REFUSED = {
    "travel": ("de reistijd is te lang", "the travel time is too long"),
    "content": ("het werk past niet bij de opleiding of wensen", "the work does not fit the course or wishes"),
    "own_place_found": ("zelf een stageplek gevonden", "found an internship themselves"),
    "schedule": ("de werktijden passen niet", "the working hours do not fit"),
    "allowance": ("geen of te weinig stagevergoeding", "no or too little allowance"),
    "safety": ("voelt zich daar niet veilig", "does not feel safe there"),
    "other": ("een andere reden", "another reason"),
}
FAILED = {
    "not_suitable": ("past niet", "not suitable"),
    "rejected_after_introduction": ("afgewezen na het kennismakingsgesprek", "rejected after the introduction talk"),
    "organisation_withdrew": ("de organisatie trok zich terug", "the organisation withdrew"),
    "safety": ("veiligheid", "safety"),
    "other": ("een andere reden", "another reason"),
}
UNKNOWN = ("onbekende reden", "unknown reason")


def placement_words(shown: ShownStatus, now: datetime | None = None) -> dict[str, Any]:
    """`outcome`, `answer` and `follow_up` in words, and `state` (a CSS-friendly word) for one period."""
    s = shown.status
    if s.is_placed:
        outcome = t("Geplaatst bij", "Placed at") + " " + (shown.organisation_name or t("een leerbedrijf", "a company"))
    else:
        outcome = t("Niet geplaatst:", "Not placed:") + " " + t(*NOT_PLACED.get(s.reason_code or "", UNKNOWN))
    answer, follow_up, state = _answer(shown, now or datetime.now(UTC))
    return {"outcome": outcome, "address": shown.address if s.is_placed else "", "answer": answer,
            "follow_up": follow_up, "state": state, "round_id": s.round_id,
            "released_at": local_time(s.released_at), "respond_by": local_time(s.respond_by)}


def _answer(shown: ShownStatus, now: datetime) -> tuple[str, str, str]:
    s = shown.status
    seeking = s.follow_up == "replacement_requested"
    next_round = t("Er wordt een nieuwe plaats gezocht in de volgende herronde.",
                   "A new place is being sought in the next re-match.")
    if s.answer == "accepted":
        return t("Geaccepteerd", "Accepted"), t("Geen actie nodig: de stage gaat door.",
                                                 "Nothing to do: the internship goes ahead."), "ok"
    if s.answer == "refused":
        words = t("Geweigerd:", "Refused:") + " " + t(*REFUSED.get(s.answer_reason or "", UNKNOWN))
        return words, next_round if seeking else t("Neem contact op met de student.", "Contact the student."), "warn"
    if s.answer == "failed":
        words = t("Gemeld als niet passend:", "Flagged as not suitable:") + " " + t(*FAILED.get(s.answer_reason or "",
                                                                                                 UNKNOWN))
        return words, next_round if seeking else t("Neem contact op met de student.", "Contact the student."), "bad"
    if not s.is_placed:
        return "", t("Doet mee aan de volgende herronde.", "Takes part in the next re-match."), "bad"
    if now > datetime.fromisoformat(s.respond_by):
        return (t("Geen antwoord binnen de termijn", "No answer within the deadline"),
                t("Neem contact op met de student.", "Contact the student."), "warn")
    return (t("Nog geen antwoord", "No answer yet"),
            t("Wacht op het antwoord van de student, uiterlijk", "Waiting for the student's answer, by") + " "
            + local_time(s.respond_by) + ".", "")
