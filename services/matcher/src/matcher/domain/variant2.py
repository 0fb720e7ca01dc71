"""Variant 2's records (issue 15.3): a student's candidate offer, the final round's outcome, and its words.

`Offer` is what `matcher.solver.candidates` offers and the validator certifies; `ChoiceOutcome` what
`matcher.solver.choices.final_round` did with a student's choice; `describe_choice` words an outcome in
Dutch by default, English on request. Only codes, place ids and the rank of the granted choice go in;
never a pseudonym in a sentence, never a place's people. Imports the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

GRANTED, OTHER_CANDIDATE, OTHER_PLACE, KEPT_PICK = (
    "CHOICE_GRANTED", "CHOICE_OTHER_CANDIDATE", "CHOICE_OTHER_PLACE", "NO_CHOICE_KEPT_PICK")


@dataclass(frozen=True)
class Offer:
    """The candidates offered to one student: the matcher's pick first, then the others by fit."""

    student_ref: str
    pick: str
    place_ids: tuple[str, ...]


@dataclass(frozen=True)
class ChoiceOutcome:
    """What the final round did with one offered student's choice."""

    student_ref: str
    code: str                   # GRANTED, OTHER_CANDIDATE, OTHER_PLACE or KEPT_PICK
    place_id: str | None
    chosen: tuple[str, ...]     # the student's ranked choices (empty: did not choose)
    granted_rank: int | None    # 1 = first choice granted, 2 = second, ...; None when no choice was granted


TEXT = {
    "nl": {
        "CHOICE_GRANTED": ("Je krijgt de plaats die je koos.",
                           "Je krijgt je keuze nummer {rank}; je eerdere keuzes gingen volgens de regel naar "
                           "anderen."),
        "CHOICE_OTHER_CANDIDATE": "Je keuze kon niet worden toegekend: ook anderen kozen die plaats, of een student "
                                  "die niet koos houdt hem, en de regel besliste (zoveel mogelijk studenten "
                                  "geplaatst, eerlijk over scholen, voorrang bij weinig opties, dan keuzes en "
                                  "loting). Je krijgt een andere plaats uit je kandidaten.",
        "CHOICE_OTHER_PLACE": "Je keuze kon niet worden toegekend en geen van je andere kandidaten was nog vrij; "
                              "de regel gaf je een andere passende plaats.",
        "NO_CHOICE_KEPT_PICK": "Je hebt niet gekozen; je houdt de plaats die de matcher voor je koos.",
    },
    "en": {
        "CHOICE_GRANTED": ("You get the place you chose.",
                           "You get your choice number {rank}; the rule gave your earlier choices to others."),
        "CHOICE_OTHER_CANDIDATE": "Your choice could not be granted: others chose that place too, or a student who "
                                  "did not choose keeps it, and the rule decided (as many students placed as "
                                  "possible, fair across schools, priority for few options, then choices and a "
                                  "lottery). You get another of your candidates.",
        "CHOICE_OTHER_PLACE": "Your choice could not be granted and none of your other candidates was still free; "
                              "the rule gave you another place that fits.",
        "NO_CHOICE_KEPT_PICK": "You did not choose; you keep the place the matcher picked for you.",
    },
}


def describe_choice(outcome: ChoiceOutcome, lang: str = "nl") -> str:
    """One sentence for a variant-2 student's final-round outcome."""
    text = TEXT["en" if lang == "en" else "nl"][outcome.code]
    if isinstance(text, tuple):
        return text[0] if (outcome.granted_rank or 1) == 1 else text[1].format(rank=outcome.granted_rank)
    return text
