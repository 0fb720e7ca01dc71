"""The recognition register (issue 16): which crebos an organisation is recognised for (SBB's register of
recognised training companies), and SBB's table of equivalent codes (an old and a new code of the same
qualification). A student may do a BPV at a company recognised for an equivalent code.

Pure Python; imports nothing from the project.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

REFUSE = "refuse"
FLAG = "flag"
MODES = (REFUSE, FLAG)


def equivalence_classes(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """crebo -> every code equivalent to it (itself included), the old<->new pairs taken both ways and
    transitively (an old code of an old code counts too)."""
    parent: dict[str, str] = {}

    def find(code: str) -> str:
        parent.setdefault(code, code)
        while parent[code] != code:
            parent[code] = parent[parent[code]]
            code = parent[code]
        return code

    for old, new in pairs:
        parent[find(old)] = find(new)
    groups: dict[str, set[str]] = {}
    for code in list(parent):
        groups.setdefault(find(code), set()).add(code)
    return {code: frozenset(groups[find(code)]) for code in parent}


@dataclass(frozen=True)
class Register:
    """A region's register: organisation id -> recognised crebos, and the equivalent-code pairs."""

    recognitions: Mapping[str, Sequence[str]] = field(default_factory=dict)
    equivalents: Sequence[tuple[str, str]] = ()

    @property
    def empty(self) -> bool:
        return not self.recognitions

    def unrecognised(self, organisation_id: str, crebos: Iterable[str]) -> list[str]:
        """The crebos the organisation is not recognised for, directly or through an equivalent code."""
        classes = equivalence_classes(self.equivalents)
        own = set(self.recognitions.get(organisation_id, ()))
        return [c for c in crebos if not own & classes.get(c, frozenset({c}))]
