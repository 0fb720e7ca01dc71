"""LEMON's network simplex (pylmcf) on an arc list in any order: pass S and pass B's re-solve, and the
validator's scarce optimum.

pylmcf takes the arcs sorted by (tail, head); `Network` sorts them (stably) once and gives the flows back in
the caller's order. A network solved once can be solved again after its supplies, capacities or costs change:
LEMON then starts from the spanning-tree basis of the last solve (a warm restart), which is how pass B re-solves
pass S's network (docs/matching.md, section 2). `network_simplex` is one cold solve. The solver and the
validator each build their own networks, and the validator proves LEMON's answer optimal itself (`scarce_bound`).
Imports numpy and pylmcf.
"""

from __future__ import annotations

import numpy as np
import pylmcf


class Network:
    """A LEMON network of fixed arcs; `solve` with capacities, costs and supplies, again and again (warm).
    `caps` and `costs` are the last solve's, in the caller's arc order."""

    def __init__(self, n_nodes: int, tails: np.ndarray, heads: np.ndarray):
        # one stable sort of a (tail, head) key: the arcs come in blocks already sorted by tail, which numpy's
        # stable sort (timsort) merges in near-linear time; the same order as lexsort((heads, tails)), ~30x faster
        self._order = np.argsort(tails.astype(np.int64) * n_nodes + heads, kind="stable")
        self._graph = pylmcf.Graph(n_nodes, np.ascontiguousarray(tails[self._order], dtype=np.int64),
                                   np.ascontiguousarray(heads[self._order], dtype=np.int64))
        self.caps = self.costs = np.zeros(0, dtype=np.int64)

    def solve(self, caps: np.ndarray, costs: np.ndarray, supplies: np.ndarray) -> np.ndarray:
        """The flow of every arc, in the arcs' order, of a min-cost flow with these supplies. RuntimeError when
        there is none (LEMON's INFEASIBLE or UNBOUNDED). The costs must not be negative."""
        self.caps, self.costs = caps, costs
        self._graph.set_node_supply(np.ascontiguousarray(supplies, dtype=np.int64))
        self._graph.set_edge_capacities(np.ascontiguousarray(caps[self._order], dtype=np.int64))
        self._graph.set_edge_costs(np.ascontiguousarray(costs[self._order], dtype=np.int64))
        self._graph.solve()
        flows = np.empty(len(self._order), dtype=np.int64)
        flows[self._order] = self._graph.result()
        return flows

    def potentials(self) -> np.ndarray:
        """The node potentials of the last solve (LEMON's duals)."""
        return self._graph.potentials()

    def warm_starts(self) -> int:
        """How many solves started from the previous basis."""
        return self._graph.warm_start_count()


def network_simplex(n_nodes: int, tails: np.ndarray, heads: np.ndarray, caps: np.ndarray, costs: np.ndarray,
                    supplies: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the flow of every arc, in the arcs' order; the node potentials) of one min-cost flow (`Network.solve`)."""
    network = Network(n_nodes, tails, heads)
    return network.solve(caps, costs, supplies), network.potentials()
