"""The pure parts of running N instances: a leased worker step runs only while its lease is held, a test
double of Redis gets the sole lease, and the watchdog reads the coordinator's answer about a member right."""

from __future__ import annotations

from stagepool_shared.kafka.groups import _partitions_of
from stagepool_shared.lease import SoleLease, lease_for, leased
from tests.fakes import FakeKeyValue


class Held:
    name = "held"

    def __init__(self, token: int):
        self.token = token

    def acquire(self) -> int:
        return self.token

    def release(self) -> None:
        self.token = 0


def test_a_leased_step_runs_only_while_the_lease_is_held():
    calls: list[int] = []
    step = leased(Held(0), lambda: calls.append(1) or 7)
    assert step() == 0 and calls == []
    assert leased(Held(3), lambda: calls.append(1) or 7)() == 7 and calls == [1]


def test_a_test_double_of_redis_gets_the_sole_lease():
    lease = lease_for(FakeKeyValue(), "svc:lease:job")
    assert isinstance(lease, SoleLease) and lease.acquire() == 1


def group(state: str, *members: tuple[str, list[int]]) -> dict:
    return {"error": None, "group_state": state, "members": [
        {"member_id": m, "member_assignment": {"assigned_partitions": [{"topic": "t", "partitions": p}]}}
        for m, p in members]}


def test_the_coordinator_answer_says_how_many_partitions_a_member_holds():
    stable = group("Stable", ("m-1", [0, 2]), ("m-2", []))
    assert _partitions_of(stable, "m-1") == 2 and _partitions_of(stable, "m-2") == 0
    assert _partitions_of(stable, "m-gone") is None
    assert _partitions_of(group("PreparingRebalance", ("m-2", [])), "m-2") is None
    assert _partitions_of({"error": "NotCoordinator", "members": []}, "m-2") is None
    assert _partitions_of({"group_state": "Stable", "members": [{"member_id": "m-3", "member_assignment": b""}]},
                          "m-3") == 0
