"""What reporting's pages share: the signed-in person, the posted form (typed values kept for showing again),
the not-found page, and the words for codes in Dutch and English.

Imports flask and the shared web layer only.
"""

from __future__ import annotations

from typing import Iterable

from flask import Response

from stagepool_shared.auth import Principal
from stagepool_shared.web.pages import form_values, render, t, typed, web_session  # noqa: F401 (re-exported to the pages)

CODES = {
    "nl": {"received": "ontvangen", "in_progress": "in behandeling", "forwarded_to_sbb": "doorgegeven aan SBB",
           "closed": "afgesloten", "discrimination": "discriminatie", "misuse_of_intern": "misbruik van stagiair",
           "search": "bij het zoeken", "selection": "bij de selectie", "introduction": "bij het kennismakingsgesprek",
           "during_internship": "tijdens de stage", "not_suitable": "past niet",
           "rejected_after_introduction": "afgewezen na kennismakingsgesprek",
           "organisation_withdrew": "organisatie trok zich terug", "safety": "veiligheid", "other": "anders",
           "on_site": "op de stagelocatie", "school": "op school", "online": "online", "phone": "telefonisch"},
    "en": {"received": "received", "in_progress": "in progress", "forwarded_to_sbb": "forwarded to SBB",
           "closed": "closed", "discrimination": "discrimination", "misuse_of_intern": "misuse of an intern",
           "search": "while searching", "selection": "during selection", "introduction": "at the introduction talk",
           "during_internship": "during the internship", "not_suitable": "not suitable",
           "rejected_after_introduction": "rejected after the introduction talk",
           "organisation_withdrew": "the organisation withdrew", "safety": "safety", "other": "other",
           "on_site": "on site", "school": "at school", "online": "online", "phone": "by phone"},
}


def me() -> Principal:
    """The signed-in person (pages are behind `page(...)`, so there always is one)."""
    session = web_session()
    assert session is not None
    return session.principal


def word(code: str | None, lang: str) -> str:
    return CODES.get(lang, CODES["nl"]).get(code or "", code or "")


def options(codes: Iterable[str], lang: str) -> list[tuple[str, str]]:
    return [(code, word(code, lang)) for code in codes]


def not_found() -> Response:
    return render("stagepool/error.html", status=404, code=404, title=t("Niet gevonden", "Not found"),
                  message=t("Deze pagina bestaat niet of is niet voor u.", "This page does not exist or is not for you."))
