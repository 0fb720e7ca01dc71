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


#: Demands about a person's characteristics in free text (R40): a place describes the work, never the person
#: wanted. Whole words or phrases, any case; each names what it is about.
DEMAND_PATTERNS = (
    r"gender", r"geslacht", r"sekse", r"(?:alleen|geen|liefst|bij voorkeur) (?:een )?"
    r"(?:jongens?|meisjes?|mann(?:en)?|vrouw(?:en)?|dames?|heren|allochtonen?|autochtonen?|buitenlanders?|moslims?)",
    r"(?:only|no) (?:boys|girls|men|women|males?|females?|foreigners|muslims)", r"male or female",
    r"nationalit(?:y|eit|eiten)", r"(?:nederlandse|dutch|westerse|western) (?:afkomst|origin|achtergrond|background)",
    r"afkomst", r"herkomst", r"origin", r"etni(?:citeit|sch|city|c)", r"huidskleur", r"skin colou?r", r"ras", r"race",
    r"religi(?:e|on|eus|ous)", r"geloof", r"hoofddoek(?:je)?", r"headscarf", r"zwanger(?:schap)?", r"pregnan(?:t|cy)",
    r"geaardheid", r"orientation", r"moedertaal", r"mother tongue", r"native speaker", r"zonder accent",
    r"without (?:an )?accent", r"uiterlijk", r"appearance", r"representatief voorkomen", r"knap", r"good[- ]looking",
    r"leeftijd", r"(?:jonger|ouder) dan", r"(?:younger|older) than", r"age", r"getrouwd", r"married", r"foto",
    r"photo", r"burgerlijke staat", r"marital status",
)
_DEMANDS = re.compile(r"\b(?:" + "|".join(DEMAND_PATTERNS) + r")\b", re.IGNORECASE)
DEMAND_MESSAGE = 'Describe the work, not the person: remove "{0}" (no demands about personal characteristics).'


def personal_demand(text: str) -> str | None:
    """The first words of `text` that ask for a personal characteristic (R40), or None when it has none.

    A screen, not a proof: it catches the usual demands (sex, origin, religion, age, looks, language of
    birth, marital status) in Dutch and English so the organisation rewrites them before the text is shown."""
    found = _DEMANDS.search(text or "")
    return found.group(0) if found else None


def demand_problems(values: dict[str, Any], names: Iterable[str]) -> dict[str, list[str]]:
    """A field error for each free-text field among `names` whose value holds a personal demand."""
    problems: dict[str, list[str]] = {}
    for name in names:
        found = personal_demand(str(values.get(name) or ""))
        if found:
            problems[name] = [DEMAND_MESSAGE.format(found)]
    return problems
