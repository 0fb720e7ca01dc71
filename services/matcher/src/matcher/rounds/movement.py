"""How students move between two rounds: how many keep, gain, lose or change a place, in numbers and words.

A round's figures alone hide movement ("Geplaatst +2" can mean 69 students moved); this counts it per
student, over every student in either round (a student missing from one round holds no place there):

- keep: a place in both rounds, the same place;
- change: a place in both rounds, another place;
- gain: no place in the first round, a place in the second;
- lose: a place in the first round, none in the second.

Imports the standard library and the shared outcome only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from stagepool_shared.events.rounds import Outcome

HOLDING = ("placed", "kept")

#: (singular, plural) per count; Dutch by default, English on request.
WORDS = {
    "nl": {"keep": ("1 student houdt dezelfde plaats", "{n} studenten houden dezelfde plaats"),
           "gain": ("1 student krijgt een plaats", "{n} studenten krijgen een plaats"),
           "lose": ("1 student verliest de plaats", "{n} studenten verliezen hun plaats"),
           "change": ("1 student krijgt een andere plaats", "{n} studenten krijgen een andere plaats"),
           "and": "en"},
    "en": {"keep": ("1 student keeps the same place", "{n} students keep the same place"),
           "gain": ("1 student gains a place", "{n} students gain a place"),
           "lose": ("1 student loses their place", "{n} students lose their place"),
           "change": ("1 student changes place", "{n} students change place"),
           "and": "and"},
}


@dataclass(frozen=True)
class Movement:
    """Per-student movement from one round to another."""

    keep: int = 0
    gain: int = 0
    lose: int = 0
    change: int = 0

    def text(self, lang: str = "nl") -> str:
        """The counts as one sentence, e.g. '5 studenten houden dezelfde plaats, 3 studenten krijgen ...'."""
        words = WORDS.get(lang, WORDS["nl"])
        parts = [words[k][0] if n == 1 else words[k][1].format(n=n)
                 for k, n in (("keep", self.keep), ("gain", self.gain), ("lose", self.lose), ("change", self.change))]
        return f"{', '.join(parts[:-1])} {words['and']} {parts[-1]}."

    def as_dict(self) -> dict[str, object]:
        """The counts with the sentence in Dutch and English (the API's `movement`)."""
        return {"keep": self.keep, "gain": self.gain, "lose": self.lose, "change": self.change,
                "text": {"nl": self.text("nl"), "en": self.text("en")}}


def _places(outcomes: Iterable[Outcome]) -> dict[str, str | None]:
    return {o.student_ref: o.place_id if o.status in HOLDING and o.place_id else None for o in outcomes}


def movement(before: Iterable[Outcome], after: Iterable[Outcome]) -> Movement:
    """Count how the students of two rounds moved from `before` to `after`."""
    first, second = _places(before), _places(after)
    counts = {"keep": 0, "gain": 0, "lose": 0, "change": 0}
    for ref in first.keys() | second.keys():
        a, b = first.get(ref), second.get(ref)
        if a and b:
            counts["keep" if a == b else "change"] += 1
        elif b:
            counts["gain"] += 1
        elif a:
            counts["lose"] += 1
    return Movement(**counts)
