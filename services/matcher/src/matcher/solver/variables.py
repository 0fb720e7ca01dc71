"""Containers for the decision variables of the flow model: nodes, arcs and named arc blocks.

A flow model's variables are its arc flows. `NodeLayout` numbers the nodes of one component;
`ArcSet` collects arcs in named blocks ("units", "enrol", "pairs", ...) so that the model can read back
the flow of one block (e.g. which pair arcs carry a student) after solving.
Imports numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SOURCE, SINK = 0, 1


@dataclass(frozen=True)
class NodeLayout:
    """Node numbering: source, sink, then groups, students, places, reservation entries and slots."""

    n_groups: int
    n_students: int
    n_places: int
    n_reservations: int

    @property
    def group0(self) -> int:
        return 2

    @property
    def student0(self) -> int:
        return self.group0 + self.n_groups

    @property
    def place0(self) -> int:
        return self.student0 + self.n_students

    @property
    def entry0(self) -> int:
        return self.place0 + self.n_places

    @property
    def slot0(self) -> int:
        return self.entry0 + self.n_reservations

    @property
    def n_nodes(self) -> int:
        return self.slot0 + self.n_reservations


@dataclass
class ArcSet:
    """Arcs added block by block; `span(name)` gives the arc index range of a block."""

    tails: list[np.ndarray] = field(default_factory=list)
    heads: list[np.ndarray] = field(default_factory=list)
    caps: list[np.ndarray] = field(default_factory=list)
    costs: list[np.ndarray] = field(default_factory=list)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    size: int = 0

    def add(self, name: str, tails: np.ndarray, heads: np.ndarray, caps: np.ndarray, costs: np.ndarray) -> None:
        """Append a block of arcs (arrays of equal length; scalars broadcast)."""
        n = len(tails)
        self.tails.append(np.asarray(tails, dtype=np.int32))
        self.heads.append(np.broadcast_to(np.asarray(heads, dtype=np.int32), (n,)))
        self.caps.append(np.broadcast_to(np.asarray(caps, dtype=np.int64), (n,)))
        self.costs.append(np.broadcast_to(np.asarray(costs, dtype=np.int64), (n,)))
        self.spans[name] = (self.size, self.size + n)
        self.size += n

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(tails, heads, capacities, costs) as contiguous arrays for OR-tools."""
        cat = lambda xs, dt: np.ascontiguousarray(np.concatenate(xs), dtype=dt) if xs else np.zeros(0, dt)  # noqa: E731
        return cat(self.tails, np.int32), cat(self.heads, np.int32), cat(self.caps, np.int64), cat(self.costs, np.int64)

    def release(self) -> None:
        """Drop the blocks once a solver holds its own copy of the network (spans stay readable).

        New empty lists, not cleared ones: an ArcSet copied with `dataclasses.replace` shares the block
        lists with its original, which keeps them.
        """
        self.tails, self.heads, self.caps, self.costs = [], [], [], []

    def min_cost(self) -> int:
        """Smallest arc cost (0 for no arcs)."""
        return min((int(c.min()) for c in self.costs if len(c)), default=0)

    def max_cost(self) -> int:
        """Largest absolute arc cost (0 for no arcs)."""
        return max((int(np.abs(c).max()) for c in self.costs if len(c)), default=0)
