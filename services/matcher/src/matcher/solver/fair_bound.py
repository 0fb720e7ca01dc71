"""Independent bounds for the validator: minimum release and the max-min rate t*.

Built from the domain tables with their own small networks (never the solver's graph code), per
independent part (groups linked through places they can share):
  * min_release: one OR-tools min-cost flow per part, cost 1 per reserved slot taken by another school
    (`release_bound` certifies it with two max flows per part when their lower bound is reached);
  * quota probes: every group of a part asks for ceil(t * d_g) - fixed_g placements; feasible when a max
    flow with those source -> group capacities saturates them all (augmenting paths never reduce source
    arcs, so such a flow extends to a maximum allocation), or, where slots must be released, when a
    min-cost flow with a bonus on the quota arcs fills them at the minimum release (after a max flow shows
    the quotas reachable at all);
  * rate_exceedable: one probe per part just above a given rate (what the validator certifies): first every
    part's max-flow probe, then the min-cost probes only if all pass;
  * max_min_rate: t* outright, by bisection over the candidate rates x / d_g.
The improving-transfer search for small rounds is in `transfers`.
Imports ortools (graph), numpy and matcher.domain.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from matcher.domain.eligibility import eligible_pairs, group_place_links
from matcher.domain.model import RoundInput
from matcher.domain.reservations import ResidualSlots, residual_slots
from matcher.domain.tables import RoundTables, build_tables
from matcher.errors import SolverFailure
from matcher.solver import fork


@dataclass(frozen=True)
class Reference:
    """Tables and eligible pairs of a round, computed once per validation."""

    rnd: RoundInput
    tables: object
    pairs: object
    cache: dict = field(default_factory=dict, compare=False, repr=False)
    workers: int = 1  # processes a check uses for its independent parts (`fork.py`; 1 below WORTH_FORKING)

    @property
    def reserved(self) -> bool:
        """Whether any place of the round has reserved slots (read once per reference)."""
        if "reserved" not in self.cache:
            self.cache["reserved"] = any(p.reserved for p in self.rnd.places)
        return self.cache["reserved"]

    def pairs_per_part(self, part: np.ndarray) -> int:
        """How many eligible pairs the part's groups have: the weight of its share of the work."""
        if "pairs_per_group" not in self.cache:
            groups = self.tables.students.group[self.pairs.student]
            self.cache["pairs_per_group"] = np.bincount(groups, minlength=len(self.tables.groups))
        return int(self.cache["pairs_per_group"][part].sum())


def reference(rnd: RoundInput, tables: RoundTables | None = None, pairs: object | None = None,
              workers: int = 1) -> Reference:
    """The validator's reference data (domain tables and eligible pairs) for a round.

    The tables and pairs are a pure function of the round (domain code, not the solver's): passing the ones
    the solver used saves rebuilding them and weakens no check (recomputing them would run the same domain
    functions; every placed pair is re-checked by `pair_masks`); the networks built from them are the
    validator's own.
    """
    rt = tables if tables is not None else build_tables(rnd)
    pairs = eligible_pairs(rt) if pairs is None or tables is None else pairs
    return Reference(rnd, rt, pairs, workers=fork.workers_for(workers, pairs.n))


@dataclass
class _Net:
    """A flow network: source 0, sink 1, groups, students, places, reservation slot nodes."""

    tails: list
    heads: list
    caps: list
    costs: list
    n_groups: int = 0
    fixed_per_group: np.ndarray | None = None
    demand: np.ndarray | None = None
    flow_students: np.ndarray | None = None
    enrol_students: np.ndarray | None = None  # the students of the enrol arcs, in arc order
    fixed_released: int = 0
    places: tuple = ()
    n_reserved: int = 0
    sizes: list = field(default_factory=list)  # arcs per `add`
    _joined: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def add(self, t, h, c, w=0) -> None:
        """Arcs t -> h of capacity c and cost w, each a number or one value per arc (a number is kept as one,
        and written into the joined arrays only: `_arcs`)."""
        cols = [np.asarray(v, dtype=np.int64) for v in (t, h, c, w)]
        self.sizes.append(max(col.size for col in cols))
        for arr, col in zip((self.tails, self.heads, self.caps, self.costs), cols):
            arr.append(col)
        self._joined = None

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(tails, heads, caps, costs), joined once per network (a part's checks read them 5-25 times), read-only:
        a caller copies the arrays it changes."""
        return self._arcs()[:4]

    def ends32(self) -> tuple[np.ndarray, np.ndarray]:
        """The tails and heads as int32, as OR-tools takes them."""
        return self._arcs()[4:]

    def _arcs(self) -> tuple:
        if self._joined is None:
            joined = [_column(x, self.sizes) for x in (self.tails, self.heads, self.caps, self.costs)]
            joined += [joined[0].astype(np.int32), joined[1].astype(np.int32)]
            for array in joined:
                array.flags.writeable = False
            self._joined = tuple(joined)
        return self._joined

    def max_flow(self, caps: np.ndarray) -> int | None:
        """The maximum flow from source to sink over this network with capacities `caps` (None when OR-tools
        does not solve it to optimality). Arcs that cannot carry flow are left out of OR-tools' network: those of
        capacity 0, and those leaving a node no arc into can feed (a student whose enrol arc a probe closes: its
        pair arcs), so that a probe over a few levels or groups solves a network of their size."""
        tails, heads = self.ends32()
        open_in = np.bincount(heads, weights=caps, minlength=int(tails.max(initial=1)) + 1) > 0
        open_in[0] = True  # the source
        keep = (caps > 0) & open_in[tails]
        smf = max_flow.SimpleMaxFlow()
        smf.add_arcs_with_capacity(tails[keep], heads[keep], caps[keep])
        return int(smf.optimal_flow()) if smf.solve(0, 1) == smf.OPTIMAL else None


def _column(parts: list, sizes: list) -> np.ndarray:
    """One column of a network's arcs: its parts one after the other, a number repeated over its part's arcs."""
    out = np.empty(sum(sizes), dtype=np.int64)
    at = 0
    for part, n in zip(parts, sizes):
        out[at:at + n] = part
        at += n
    return out


def residual_of(ref: Reference) -> ResidualSlots:
    """`residual_slots` of the reference's tables, computed once per reference (read-only by its callers)."""
    if "residual" not in ref.cache:
        ref.cache["residual"] = residual_slots(ref.tables)
    return ref.cache["residual"]


def _free_pairs(ref: Reference) -> tuple[np.ndarray, np.ndarray]:
    """Eligible pairs of the students still to place (fixed students removed; computed once per reference,
    read-only)."""
    if "free_pairs" not in ref.cache:
        keep = ref.tables.students.fixed[ref.pairs.student] < 0
        s, p = ref.pairs.student[keep], ref.pairs.place[keep]
        s.flags.writeable = p.flags.writeable = False
        ref.cache["free_pairs"] = (s, p)
    return ref.cache["free_pairs"]


def _parts(ref: Reference) -> list[np.ndarray]:
    """Boolean group masks of independent sub-problems: groups linked through places they can share."""
    if "parts" not in ref.cache:
        ref.cache["parts"] = _compute_parts(ref)
    return ref.cache["parts"]


def _compute_parts(ref: Reference) -> list[np.ndarray]:
    """Connected groups and places by min-label propagation over the (group, place) links (numpy); a
    part is labelled by its smallest group index."""
    lg, lp = _links(ref)
    n_groups, n_places = len(ref.tables.groups), ref.tables.places.n
    label = np.arange(n_groups, dtype=np.int64)
    while True:
        at_place = np.full(n_places, n_groups, dtype=np.int64)
        np.minimum.at(at_place, lp, label[lg])
        new = label.copy()
        np.minimum.at(new, lg, at_place[lp])
        if np.array_equal(new, label):
            break
        label = new
    linked = np.zeros(n_groups, dtype=bool)
    linked[lg] = True
    return [linked & (label == r) for r in np.unique(label[linked])]


def _links(ref: Reference) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (group, place) links of the free pairs (`group_place_links`; computed once per reference)."""
    if "links" not in ref.cache:
        s, p = _free_pairs(ref)
        ref.cache["links"] = group_place_links(ref.tables.students.group, s, p, len(ref.tables.groups),
                                               ref.tables.places.n)
    return ref.cache["links"]


def _network(ref: Reference, release: bool, part: np.ndarray | None = None) -> _Net:
    """The validator's network of one part (cached per reference: callers copy the arrays they change)."""
    key = ("net", release, None if part is None else part.tobytes())
    if key not in ref.cache:
        ref.cache[key] = _build_network(ref, release, part)
    return ref.cache[key]


def _school_codes(ref: Reference, schools: list[str]) -> np.ndarray:
    """Per student: position of its school in `schools` (-1 when absent). The students' schools are read
    once per reference; each part's list of schools only maps them."""
    if "student_schools" not in ref.cache:
        names, index = np.unique([w.school_id for w in ref.tables.students.wishes], return_inverse=True)
        ref.cache["student_schools"] = (names.tolist(), index.reshape(-1))
    names, index = ref.cache["student_schools"]
    code = {x: i for i, x in enumerate(schools)}
    return np.array([code.get(x, -1) for x in names], dtype=np.int64)[index] if names else np.zeros(0, np.int64)


def _pair_heads(ref: Reference, s: np.ndarray, p: np.ndarray, r_keys: list, p0: int, e0: int) -> np.ndarray:
    """Head of each pair arc: the entry node of (place, own school)'s reservation, else the place node."""
    heads = p0 + p
    if not r_keys:
        return heads
    keys, want = reservation_keys(ref, r_keys, s, p)
    pos = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
    return np.where(keys[pos] == want, e0 + pos, heads)


def reservation_keys(ref: Reference, r_keys: list, s: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(a key per reservation of `r_keys` = sorted (place, school) pairs, ascending as they are; per pair (s, p), the
    key of the reservation of the student's own school at that place, -1 for a school without any): a pair
    enters the reservation with its key."""
    schools = sorted({x for _, x in r_keys})
    codes = _school_codes(ref, schools)
    keys = np.array([pp * len(schools) + schools.index(x) for pp, x in r_keys], dtype=np.int64)
    return keys, np.where(codes[s] >= 0, p.astype(np.int64) * len(schools) + codes[s], -1)


def _build_network(ref: Reference, release: bool, part: np.ndarray | None) -> _Net:
    rt = ref.tables
    st, pt = rt.students, rt.places
    s, p = _free_pairs(ref)
    if part is not None:
        inside = part[st.group[s]]
        s, p = s[inside], p[inside]
    residual = residual_of(ref)
    general, reserved, fixed_released = residual.general, residual.reserved, residual.fixed_released
    used = np.zeros(pt.n, dtype=bool)
    used[p] = True
    reserved = {k: v for k, v in reserved.items() if used[k[0]]}
    g0, s0 = 2, 2 + len(rt.groups)
    p0 = s0 + st.n
    r_keys = sorted(reserved)
    e0 = p0 + pt.n
    t0 = e0 + len(r_keys)
    net = _Net([], [], [], [], n_groups=len(rt.groups), fixed_released=fixed_released, places=pt.places,
               n_reserved=len(r_keys))
    net.demand = np.bincount(st.group, minlength=len(rt.groups))
    net.fixed_per_group = np.bincount(st.group[st.fixed >= 0], minlength=len(rt.groups))
    flow = np.flatnonzero(np.bincount(s, minlength=st.n))  # the students with a pair, sorted
    net.flow_students = np.bincount(st.group[flow], minlength=len(rt.groups))
    net.enrol_students = flow
    net.add(0, g0 + np.arange(len(rt.groups)), net.demand)  # quota arcs: capacities replaced per probe
    net.add(0, g0 + np.arange(len(rt.groups)), net.demand if release else 0)  # rest arcs (MCF probes)
    net.add(g0 + st.group[flow], s0 + flow, 1)
    net.add(s0 + s, _pair_heads(ref, s, p, r_keys, p0, e0), 1)
    net.add(p0 + np.arange(pt.n), 1, np.where(used, np.maximum(general, 0), 0))
    for i, (pp, _) in enumerate(r_keys):
        k = reserved[r_keys[i]]
        net.add(e0 + i, t0 + i, k)
        net.add(e0 + i, p0 + pp, st.n + 1)
        net.add(t0 + i, 1, k)
        if release:
            net.add(p0 + pp, t0 + i, k, 1)
    return net


def _mcf(net: _Net, caps: np.ndarray, costs: np.ndarray) -> int:
    tails, heads = net.ends32()
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    total = int(net.demand.sum())
    mcf.set_node_supply(0, total)
    mcf.set_node_supply(1, -total)
    status = mcf.solve_max_flow_with_min_cost()
    if status != mcf.OPTIMAL:
        raise SolverFailure("fair-bound reference", str(status))
    return int(mcf.optimal_cost())


def _flow_release(ref: Reference, part: np.ndarray) -> int:
    """Fewest reserved slots released inside one sub-problem (fixed placements not counted; cached)."""
    key = ("release", part.tobytes())
    if key not in ref.cache:
        net = _network(ref, release=True, part=part)
        ref.cache[key] = 0 if net.n_reserved == 0 else _mcf(net, *net.arrays()[2:])
    return ref.cache[key]


def min_release(ref: Reference) -> int:
    """Fewest reserved slots another school must take in any maximum allocation (fixed ones included)."""
    if not ref.reserved:
        return 0
    return sum(_flow_release(ref, part) for part in _parts(ref)) + residual_of(ref).fixed_released


def no_release_beyond_fixed(ref: Reference, released: int) -> int:
    """Record that no part needs to release a reserved slot (an allocation releasing only what its kept
    placements alone release shows it: adding students never lowers the count); returns `released`."""
    for part in _parts(ref):
        ref.cache[("release", part.tobytes())] = 0
    return released


def _quota_saturable(net: _Net, quota: np.ndarray) -> bool:
    """Can every group get its quota at all (one max flow, rest arcs closed, any releases allowed)?"""
    caps = net.arrays()[2].copy()
    caps[:net.n_groups], caps[net.n_groups:2 * net.n_groups] = quota, 0
    return net.max_flow(caps) == int(quota.sum())


def _quota_feasible(net: _Net, quota: np.ndarray, release_floor: int | None) -> bool:
    """Can every group get its quota in a maximum allocation (with the fewest released slots)?"""
    if not _quota_saturable(net, quota):
        return False  # unreachable with any releases, so with the fewest too
    return release_floor is None or _quota_at_floor(net, quota, release_floor)


def _quota_at_floor(net: _Net, quota: np.ndarray, release_floor: int) -> bool:
    """With the quotas saturable: can they be met with only `release_floor` released slots (one MCF)?"""
    tails, heads, caps, costs = net.arrays()
    caps = caps.copy()
    caps[:net.n_groups] = quota
    bonus = int(sum(r.slots for p in net.places for r in p.reserved)) + 1
    costs = costs.copy()
    costs[:net.n_groups] = -bonus
    cost = _mcf(net, caps, costs)
    return cost == -bonus * int(quota.sum()) + release_floor


def _part_rate(ref: Reference, part: np.ndarray, reservations: bool) -> tuple[int, int]:
    """Largest t = a / b such that every group of the part can reach ceil(t * demand) together."""
    floor = _flow_release(ref, part) if reservations else 0
    net = _network(ref, release=floor > 0, part=part)
    demands = set(net.demand[part].tolist())
    cands = sorted({(x / d, x, d) for d in demands for x in range(d + 1)})
    lo, hi = 0, len(cands) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        _, a, b = cands[mid]
        quota = _part_quota(net, part, a, b)
        if np.all(quota <= net.flow_students) and _quota_feasible(net, quota, floor if floor > 0 else None):
            lo = mid
        else:
            hi = mid - 1
    return cands[lo][1], cands[lo][2]


def _part_quota(net: _Net, part: np.ndarray, a: int, b: int) -> np.ndarray:
    """Placements still needed per group of the part to reach rate a / b (0 outside the part)."""
    return np.where(part, np.maximum(-(-a * net.demand // b) - net.fixed_per_group, 0), 0)


def rate_exceedable(ref: Reference, worst: tuple[int, int], at: int | None = None) -> bool:
    """Could every group beat rate `worst` = a / b in some maximum, fewest-release allocation?

    One probe suffices: the part holding a group at exactly that rate is asked for the smallest
    candidate rate above it; if it cannot reach it, no allocation lifts every group above a / b. `at`, a
    group at that rate: its part is probed first (the answer is the same in any order; a certified rate is
    then settled by that one probe, not one per part).
    """
    a, b = worst
    st = ref.tables.students
    demand = np.bincount(st.group, minlength=len(ref.tables.groups))
    fixed = np.bincount(st.group[st.fixed >= 0], minlength=len(demand))
    parts = _parts(ref)
    linked = np.any(parts, axis=0) if parts else np.zeros(len(demand), dtype=bool)
    if any(fixed[g] * b == a * demand[g] for g in np.nonzero(~linked)[0]):
        return False  # a group that cannot place anyone new sits at this rate
    reservations = ref.reserved
    probes = []  # first every part's max-flow probe (exact without releases, necessary with them), then the MCFs
    for part in (sorted(parts, key=lambda m: not m[at]) if at is not None else parts):
        floor = _flow_release(ref, part) if reservations else 0
        net = _network(ref, release=floor > 0, part=part)
        above = [(x / d, x, d) for d in set(net.demand[part].tolist()) for x in range(d + 1) if x * b > a * d]
        if not above:
            return False
        _, x, d = min(above)
        quota = _part_quota(net, part, x, d)
        if not (np.all(quota <= net.flow_students) and _quota_saturable(net, quota)):
            return False
        probes.append((net, quota, floor))
    return all(floor == 0 or _quota_at_floor(net, quota, floor) for net, quota, floor in probes)


def max_min_rate(ref: Reference) -> tuple[int, int] | None:
    """t* = a / b as (a, b): the best worst-group rate of any maximum allocation with the fewest
    released reserved slots; None for a round without students. Solved per independent sub-problem;
    groups that cannot place anyone new keep their fixed / demand rate."""
    if not ref.rnd.wishes:
        return None
    st = ref.tables.students
    demand = np.bincount(st.group, minlength=len(ref.tables.groups))
    fixed = np.bincount(st.group[st.fixed >= 0], minlength=len(demand))
    parts = _parts(ref)
    linked = np.any(parts, axis=0) if parts else np.zeros(len(demand), dtype=bool)
    rates = [(int(fixed[g]), int(demand[g])) for g in np.nonzero(~linked)[0]]
    reservations = ref.reserved
    rates += [_part_rate(ref, part, reservations) for part in parts]
    return min(rates, key=lambda t: t[0] / t[1])
