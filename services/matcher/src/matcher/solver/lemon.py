"""LEMON's network simplex (pylmcf) on an arc list in any order: pass S's solve and the validator's scarce optimum.

pylmcf takes the arcs sorted by (tail, head); `network_simplex` sorts them (stably) and gives the flows back in
the caller's order. It holds no network of its own: the solver and the validator each build theirs, and the
validator proves LEMON's answer optimal itself (`scarce_bound`).
Imports numpy and pylmcf.
"""

from __future__ import annotations

import numpy as np
import pylmcf


def network_simplex(n_nodes: int, tails: np.ndarray, heads: np.ndarray, caps: np.ndarray, costs: np.ndarray,
                    supplies: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the flow of every arc, in the arcs' order; the node potentials) of a min-cost flow with these supplies.
    RuntimeError when there is none (LEMON's INFEASIBLE or UNBOUNDED). The costs must not be negative."""
    order = np.lexsort((heads, tails))
    graph = pylmcf.Graph(n_nodes, np.ascontiguousarray(tails[order], dtype=np.int64),
                         np.ascontiguousarray(heads[order], dtype=np.int64))
    graph.set_node_supply(np.ascontiguousarray(supplies, dtype=np.int64))
    graph.set_edge_capacities(np.ascontiguousarray(caps[order], dtype=np.int64))
    graph.set_edge_costs(np.ascontiguousarray(costs[order], dtype=np.int64))
    graph.solve()
    flows = np.empty(len(order), dtype=np.int64)
    flows[order] = graph.result()
    return flows, graph.potentials()
