"""The validator's scarce-options optimum (`scarce_bound._optimum`): LEMON's flow is used only when the validator
proves it optimal from its dual; a wrong flow or wrong potentials fail the proof, and OR-tools answers."""

from __future__ import annotations

import numpy as np
import pylmcf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.solver import lemon, scarce_bound


def _network(seed: int, n_mid: int) -> tuple[np.ndarray, ...]:
    """source 0 -> middle nodes -> sink 1 over random arcs with positive costs; supply a flow it carries."""
    rng = np.random.default_rng(seed)
    mid = np.arange(2, 2 + n_mid)
    a, b = rng.integers(2, 2 + n_mid, 3 * n_mid), rng.integers(2, 2 + n_mid, 3 * n_mid)
    tails = np.concatenate([np.zeros(n_mid, dtype=np.int64), a, mid, mid])
    heads = np.concatenate([mid, b, np.ones(n_mid, dtype=np.int64), np.ones(n_mid, dtype=np.int64)])
    caps = np.concatenate([rng.integers(1, 4, n_mid), rng.integers(0, 3, 3 * n_mid), rng.integers(0, 3, n_mid),
                           np.full(n_mid, 10)])
    costs = np.concatenate([rng.integers(1, 50, 4 * n_mid), rng.integers(1, 9, n_mid), np.full(n_mid, 1000)])
    total = int(caps[:n_mid].sum())
    supplies = np.zeros(2 + n_mid, dtype=np.int64)
    supplies[0], supplies[1] = total, -total
    return tails, heads, caps.astype(np.int64), costs.astype(np.int64), supplies


def _cost(flows: np.ndarray, costs: np.ndarray) -> int:
    return int((flows * costs).sum())


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 25))
def test_a_proved_flow_costs_what_or_tools_finds(seed, n_mid) -> None:
    tails, heads, caps, costs, supplies = _network(seed, n_mid)
    proved = scarce_bound._certified_simplex(tails, heads, caps, costs, supplies)
    assert proved is not None
    assert _cost(proved, costs) == _cost(scarce_bound._ortools_optimum(tails, heads, caps, costs, supplies[0]), costs)


class _WrongPotentials(pylmcf.Graph):
    def potentials(self):
        return np.zeros_like(super().potentials())  # every arc then costs its own cost: used arcs are not 0


class _WrongFlows(pylmcf.Graph):
    def result(self):
        flows = super().result()
        flows[np.argmax(flows)] -= 1  # one unit lost on the way: not conserved
        return flows


@pytest.mark.parametrize("graph", [_WrongPotentials, _WrongFlows])
def test_a_wrong_answer_fails_the_proof_and_or_tools_gives_the_optimum(monkeypatch, graph) -> None:
    tails, heads, caps, costs, supplies = _network(3, 12)
    expected = _cost(scarce_bound._ortools_optimum(tails, heads, caps, costs, supplies[0]), costs)
    monkeypatch.setattr(lemon.pylmcf, "Graph", graph)  # the graph the validator's LEMON call builds
    assert scarce_bound._certified_simplex(tails, heads, caps, costs, supplies) is None

    class Net:  # the validator's network as `_optimum` reads it: the groups' arcs first
        n_groups = 12

        def arrays(self):
            return [tails, heads, caps, costs]

    assert _cost(scarce_bound._optimum(Net(), caps, costs), costs) == expected


def test_a_supply_no_flow_can_carry_or_a_negative_cost_is_left_to_or_tools() -> None:
    tails, heads = np.array([0, 2], dtype=np.int64), np.array([2, 1], dtype=np.int64)
    caps, costs = np.array([2, 1], dtype=np.int64), np.array([1, 1], dtype=np.int64)
    supplies = np.array([2, -2, 0], dtype=np.int64)
    assert scarce_bound._certified_simplex(tails, heads, caps, costs, supplies) is None
    assert scarce_bound._certified_simplex(tails, heads, caps, np.array([1, -1]), np.array([1, -1, 0])) is None
    assert list(scarce_bound._ortools_optimum(tails, heads, caps, costs, 2)) == [1, 1]  # the max flow, 1
