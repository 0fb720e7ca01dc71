"""User-facing sentences for explanations: Dutch by default, English on request (conventions.md).

Only codes and numbers go in; no pseudonym or personal data is ever part of a sentence.
Imports the standard library only.
"""

from __future__ import annotations

from matcher.domain.model import Explanation, Relaxation

CRITERION = {
    "nl": {
        "programme": "erkende opleiding (crebo)", "level": "niveau", "pathway": "leerweg (bol/bbl)",
        "study_year": "leerjaar", "period": "periode", "travel_time": "reistijd",
        "support": "ondersteuning", "allowance": "stagevergoeding", "irregular_shifts": "onregelmatige diensten",
        "min_age": "minimumleeftijd", "no_slots": "vrije plekken", "excluded": "uitgesloten plaats",
    },
    "en": {
        "programme": "recognised programme (crebo)", "level": "level", "pathway": "learning pathway (bol/bbl)",
        "study_year": "study year", "period": "period", "travel_time": "travel time",
        "support": "support", "allowance": "allowance", "irregular_shifts": "irregular shifts",
        "min_age": "minimum age", "no_slots": "free slots", "excluded": "excluded place",
    },
}
RANK = {
    "nl": {"top-1": "eerste keus", "top-2": "tweede keus", "top-3": "derde keus",
           "preferred_type": "voorkeurstype organisatie", "none": "geen voorkeur geraakt"},
    "en": {"top-1": "first choice", "top-2": "second choice", "top-3": "third choice",
           "preferred_type": "preferred organisation type", "none": "no stated preference met"},
}
TEXT = {
    "nl": {
        "PLACED": "Geplaatst ({rank}), reistijd {minutes} min; aan alle harde criteria voldaan.",
        "PLACED_FIXED": "Eerder geaccepteerde plaatsing behouden.",
        "NO_ELIGIBLE_PLACE": "Geen plaats voldoet aan alle harde criteria; beperkend criterium: {binding}.",
        "ALL_TAKEN_UNDER_FAIR_SHARE": ("1 passende plaats, bezet bij een eerlijke verdeling over scholen.",
                                       "{eligible} passende plaatsen, alle bezet bij een eerlijke verdeling over "
                                       "scholen."),
        "travel": ("{m} minuten meer reistijd opent 1 plaats ({free})",
                   "{m} minuten meer reistijd opent {n} plaatsen ({free})"),
        "other": ("zonder de eis '{c}' komt 1 plaats vrij ({free})",
                  "zonder de eis '{c}' komen {n} plaatsen vrij ({free})"),
        # F > 0 is enough to be placed; F == 0 may not be (docs/matching.md section 7)
        "free": ("geen met een vrije plek, dus dit is misschien niet genoeg", "{f} met een vrije plek"),
        # a hint as an outcome event carries it (the count of free slots only since issue 17): the review page
        "hint_travel": ("{m:g} minuten meer reistijd opent 1 plaats", "{m:g} minuten meer reistijd opent {n} plaatsen"),
        "hint_other": ("zonder de eis '{c}' komt 1 plaats in beeld", "zonder de eis '{c}' komen {n} plaatsen in beeld"),
        "support": "Geplaatst met voorrang, omdat weinig plaatsen de begeleiding bieden die je nodig hebt.",
        "few_places": ("Geplaatst met voorrang, omdat maar 1 plaats bij je past.",
                       "Geplaatst met voorrang, omdat maar {n} plaatsen bij je passen."),
    },
    "en": {
        "PLACED": "Placed ({rank}), {minutes} min travel; every hard constraint met.",
        "PLACED_FIXED": "Earlier accepted placement kept.",
        "NO_ELIGIBLE_PLACE": "No place meets every hard constraint; binding constraint: {binding}.",
        "ALL_TAKEN_UNDER_FAIR_SHARE": ("1 eligible place, taken under a fair share across schools.",
                                       "{eligible} eligible places, all taken under a fair share across schools."),
        "travel": ("{m} more minutes of travel opens 1 place ({free})",
                   "{m} more minutes of travel opens {n} places ({free})"),
        "other": ("without the '{c}' requirement 1 place opens ({free})",
                  "without the '{c}' requirement {n} places open ({free})"),
        "free": ("none with a free slot, so this may not be enough", "{f} with a free slot"),
        "hint_travel": ("{m:g} more minutes of travel opens 1 place", "{m:g} more minutes of travel opens {n} places"),
        "hint_other": ("without the '{c}' requirement 1 place comes into view",
                       "without the '{c}' requirement {n} places come into view"),
        "support": "Placed with priority, because few places offer the support you need.",
        "few_places": ("Placed with priority, because only 1 place fits you.",
                       "Placed with priority, because only {n} places fit you."),
    },
}


def _counted(texts: str | tuple[str, str], n: int | None) -> str:
    """The singular or plural form of a text (a plain string has one form)."""
    if isinstance(texts, str):
        return texts
    return texts[0] if n == 1 else texts[1]


def free_text(free: int, lang: str = "nl") -> str:
    """How many of the opened places have a free slot; with none, that the change may not be enough."""
    t = TEXT.get(lang, TEXT["nl"])
    return t["free"][0 if free == 0 else 1].format(f=free)


def relaxation_text(r: Relaxation, lang: str = "nl") -> str:
    """One counterfactual as a sentence: K places open (F with a free slot)."""
    t = TEXT.get(lang, TEXT["nl"])
    free = free_text(r.places_with_free_slot, lang)
    if r.criterion == "travel_time":
        return _counted(t["travel"], r.places_opened).format(m=r.extra_minutes, n=r.places_opened, free=free)
    return _counted(t["other"], r.places_opened).format(c=CRITERION[lang if lang in CRITERION else "nl"][r.criterion],
                                                         n=r.places_opened, free=free)


def hint_text(criterion: str, change: float, unit: str, places_opened: int, lang: str = "nl",
              free_places: int | None = None) -> str:
    """A hint of an outcome (criterion, change, unit, places opened, opened with a free slot) as a sentence;
    an outcome from before issue 17 has no `free_places`, and then the sentence says nothing of free slots."""
    t = TEXT.get(lang, TEXT["nl"])
    if unit == "minutes":
        text = _counted(t["hint_travel"], places_opened).format(m=change, n=places_opened)
    else:
        name = CRITERION.get(lang, CRITERION["nl"]).get(criterion, criterion)
        text = _counted(t["hint_other"], places_opened).format(c=name, n=places_opened)
    return text if free_places is None else f"{text} ({free_text(free_places, lang)})"


def describe(e: Explanation, lang: str = "nl") -> str:
    """The explanation as one or two sentences."""
    lang = lang if lang in TEXT else "nl"
    text = _counted(TEXT[lang][e.code], e.eligible_places).format(
        rank=RANK[lang].get(e.wish_rank or "none", ""), minutes=e.travel_minutes, eligible=e.eligible_places,
        binding=CRITERION[lang].get(e.binding_constraint or "", e.binding_constraint),
    )
    if e.priority in ("support", "few_places"):
        text += " " + _counted(TEXT[lang][e.priority], e.eligible_places).format(n=e.eligible_places)
    if e.nearest_change is not None:
        change = relaxation_text(e.nearest_change, lang)
        text += " " + change[:1].upper() + change[1:] + "."
    return text
