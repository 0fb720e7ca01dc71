"""Which input fields describe a personal characteristic and may never be a matching criterion.

A field is refused when its name (Dutch or English, any case, snake/kebab/camel/space spelling) names a
protected or irrelevant personal characteristic (R21, R55-R61). A person's name is fine in the student's
contact part, but never inside the wish (criteria) part. Pure Python; imports nothing from the project.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Iterable

MESSAGE = "not an objective matching criterion"

#: Single words that make a field name forbidden wherever they appear as a word of the name.
FORBIDDEN_WORDS = frozenset({
    "gender", "geslacht", "sex", "sekse", "nationality", "nationaliteit", "origin", "herkomst", "afkomst",
    "religion", "religie", "geloof", "faith", "photo", "foto", "picture", "afbeelding", "portrait", "selfie",
    "ethnicity", "etniciteit", "ethnic", "etnisch", "race", "ras", "birthplace", "geboorteplaats",
    "birthcountry", "geboorteland", "nationaliteiten", "huidskleur", "skincolour", "skincolor",
    "orientation", "geaardheid", "pregnancy", "zwangerschap", "zwanger", "pregnant", "marital",
    "burgerlijke", "civil", "moedertaal", "mothertongue", "accent", "appearance", "uiterlijk",
    "personality", "persoonlijkheid", "klik", "click", "lifestyle", "politics", "politiek",
})

#: Whole compact names (lowercase, letters only) that are forbidden.
FORBIDDEN_COMPACT = frozenset({
    "maritalstatus", "burgerlijkestaat", "countryofbirth", "placeofbirth", "landvanherkomst",
    "sexualorientation", "seksuelegeaardheid", "skincolour", "skincolor", "nativelanguage",
    "firstlanguage", "familystatus", "gezinssituatie", "headscarf", "hoofddoek", "zwangerschap",
})

#: Words naming a person: allowed for contact data, forbidden inside the criteria part.
NAME_WORDS = frozenset({
    "name", "naam", "firstname", "voornaam", "lastname", "achternaam", "surname", "familyname",
    "fullname", "initials", "initialen", "tussenvoegsel", "roepnaam", "age", "leeftijd",
})


def _words(key: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", key)
    return [w for w in re.split(r"[^a-z]+", spaced.lower()) if w]


@functools.lru_cache(maxsize=4096)
def is_forbidden_key(key: str, *, in_criteria: bool) -> bool:
    """True when a field called `key` would carry a personal characteristic."""
    words = _words(key)
    compact = "".join(words)
    if compact in FORBIDDEN_COMPACT or any(w in FORBIDDEN_WORDS for w in words):
        return True
    if in_criteria and (compact in NAME_WORDS or any(w in NAME_WORDS for w in words)):
        return True
    return False


def forbidden_fields(data: Any, *, criteria_keys: Iterable[str] = (), in_criteria: bool = False,
                     path: str = "") -> dict[str, list[str]]:
    """Every forbidden field in a JSON-like value, as {dotted.path: [MESSAGE]}.

    `criteria_keys` names the top-level parts that hold matching criteria (e.g. "wish"): a name is
    forbidden inside them. With `in_criteria` the whole value is a criteria part.
    """
    found: dict[str, list[str]] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            key_s = str(key)
            here = f"{path}.{key_s}" if path else key_s
            criteria = in_criteria or (not path and key_s in criteria_keys)
            if is_forbidden_key(key_s, in_criteria=in_criteria):
                found[here] = [MESSAGE]
            else:
                found.update(forbidden_fields(value, in_criteria=criteria, path=here))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found.update(forbidden_fields(item, in_criteria=in_criteria, path=f"{path}.{index}" if path else str(index)))
    return found


def forbidden_columns(headers: Iterable[str], *, name_allowed: Iterable[str] = ()) -> list[str]:
    """The import columns that carry a personal characteristic (a name column only where allowed)."""
    allowed = set(name_allowed)
    return [h for h in headers if h not in allowed and is_forbidden_key(h, in_criteria=True)]
