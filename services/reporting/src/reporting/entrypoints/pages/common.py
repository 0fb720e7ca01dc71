"""What reporting's pages share: the signed-in person, the posted form (typed values kept for showing again),
the not-found page, and the words for codes in Dutch and English (messages/codes.json).

Imports flask and the shared web layer only.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Iterable

from flask import Response
from marshmallow import Schema, fields

from stagepool_shared.auth import Principal
from stagepool_shared.web.pages import form_values, render, t, typed, web_session

__all__ = ["form_booleans", "form_values", "me", "not_found", "options", "typed", "word"]


@functools.cache
def _codes() -> dict[str, dict[str, str]]:
    """{lang: {code: word}}, read once from the package."""
    return json.loads(resources.files("reporting").joinpath("messages/codes.json").read_text("utf-8"))


def form_booleans(schema: Schema, values: dict) -> dict:
    """The form's "true"/"false" (checkboxes, yes/no radios) as JSON booleans for `schema`, whose booleans are
    strict (issue 19.7); any other text stays text and is refused at its field."""
    words = {"true": True, "false": False}
    return {name: words.get(value, value) if isinstance(schema.fields.get(name), fields.Boolean) else value
            for name, value in values.items()}


def me() -> Principal:
    """The signed-in person (pages are behind `page(...)`, so there always is one)."""
    session = web_session()
    assert session is not None
    return session.principal


def word(code: str | None, lang: str) -> str:
    """The word for a code in `lang` (Dutch when the language is unknown), the code itself when it has none; a
    code "name:value" whose word holds {0} says the value there (evaluation_opens_on:16-06-2027)."""
    codes = _codes().get(lang, _codes()["nl"])
    name, _, value = (code or "").partition(":")
    if value and "{0}" in codes.get(name, ""):
        return codes[name].format(value)
    return codes.get(code or "", code or "")


def options(codes: Iterable[str], lang: str) -> list[tuple[str, str]]:
    return [(code, word(code, lang)) for code in codes]


def not_found() -> Response:
    return render("stagepool/error.html", status=404, code=404, title=t("Niet gevonden", "Not found"),
                  message=t("Deze pagina bestaat niet of is niet voor u.", "This page does not exist or is not for you."))
