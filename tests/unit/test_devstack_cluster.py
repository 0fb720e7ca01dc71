"""The 3-node dev cluster's settings and its refusals, without starting a JVM (stagepool_shared.devstack)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagepool_shared.devstack import DevStack, KafkaStartError
from stagepool_shared.devstack.cli import main
from stagepool_shared.devstack.kafka_cluster import KafkaCluster, check_replication


@pytest.mark.parametrize("brokers, rf", [(3, 4), (1, 3), (3, 0), (0, 1)])
def test_a_replication_factor_the_brokers_cannot_hold_is_refused(brokers: int, rf: int) -> None:
    with pytest.raises(KafkaStartError):
        check_replication(brokers, rf)


def test_dev_up_with_more_replicas_than_brokers_is_a_clear_error_before_anything_starts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dev", "--state-dir", str(tmp_path), "up", "--brokers", "3", "--replication-factor", "4"]) == 1
    err = capsys.readouterr().err
    assert "replication factor 4 needs 4 brokers, but the cluster has 3" in err
    assert not (tmp_path / "state.json").exists() and not any(tmp_path.iterdir())


def test_a_single_broker_stays_the_default(tmp_path: Path) -> None:
    stack = DevStack(tmp_path)
    assert list(stack.processes()) == ["kafka", "redis"]


def test_three_brokers_make_a_static_quorum_with_replicated_topic_defaults(tmp_path: Path) -> None:
    cluster = KafkaCluster(tmp_path, 3)
    for i, node in enumerate(cluster.nodes, start=1):
        node.port, node.controller_port = 9000 + i, 9100 + i
    props = cluster.node(2)._properties()
    assert props["controller.quorum.voters"] == "1@127.0.0.1:9101,2@127.0.0.1:9102,3@127.0.0.1:9103"
    assert "controller.quorum.bootstrap.servers" not in props
    assert (props["node.id"], props["process.roles"]) == ("2", "broker,controller")
    assert props["default.replication.factor"] == props["offsets.topic.replication.factor"] == "3"
    assert props["min.insync.replicas"] == props["transaction.state.log.min.isr"] == "2"
    assert props["num.partitions"] == "12"
    assert cluster.bootstrap == "127.0.0.1:9001,127.0.0.1:9002,127.0.0.1:9003"
    assert list(DevStack(tmp_path / "stack", brokers=3).processes()) == ["kafka-1", "kafka-2", "kafka-3", "redis"]


def test_a_node_of_a_formatted_cluster_is_not_formatted_again(tmp_path: Path) -> None:
    cluster = KafkaCluster(tmp_path, 3)
    cluster.cluster_id, cluster.formatted = "abc", True
    with pytest.raises(KafkaStartError, match="log dir was lost"):
        cluster.node(1)._format(tmp_path)
