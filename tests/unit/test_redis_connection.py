"""The one Redis connection factory: a plain REDIS_URL, or the primary found through Sentinel."""

from __future__ import annotations

import pytest
from redis.sentinel import SentinelConnectionPool

from stagepool_shared.config import CommonSettings, ConfigError, EnvReader
from stagepool_shared.redis import (REPLICA_WAIT_MS, IdempotentApplier, connect, is_replicated, online_replicas,
                                    sentinel_url)


def common(env: dict[str, str]) -> CommonSettings:
    reader = EnvReader({"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092", **env})
    settings = CommonSettings.read(reader, "test", 8000)
    reader.finish("test")
    return settings


def test_without_sentinels_redis_url_is_used_as_it_is() -> None:
    settings = common({"REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    client = connect(settings.redis_url)
    assert not is_replicated(client)
    assert IdempotentApplier(client, "t").replica_wait_ms == 0


def test_sentinels_and_master_name_make_a_client_that_asks_the_sentinels_for_the_primary() -> None:
    settings = common({"STAGEPOOL_REDIS_SENTINELS": "127.0.0.1:26379,127.0.0.1:26380",
                       "STAGEPOOL_REDIS_MASTER": "region-north"})
    assert settings.redis_url == sentinel_url("127.0.0.1:26379,127.0.0.1:26380", "region-north")
    client = connect(settings.redis_url)  # lazy: nothing is contacted yet
    pool = client.connection_pool
    assert isinstance(pool, SentinelConnectionPool) and pool.service_name == "region-north"
    assert [s.connection_pool.connection_kwargs["port"] for s in pool.sentinel_manager.sentinels] == [26379, 26380]
    assert is_replicated(client) and IdempotentApplier(client, "t").replica_wait_ms == REPLICA_WAIT_MS


def test_sentinels_that_are_not_host_port_pairs_are_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="STAGEPOOL_REDIS_SENTINELS must be host:port pairs"):
        common({"STAGEPOOL_REDIS_SENTINELS": "127.0.0.1,127.0.0.1:26380"})


def test_only_replicas_that_finished_their_initial_sync_can_confirm_a_handler_write() -> None:
    """After a failover the old primary rejoins with a full resync: until it is `online` it cannot confirm a WAIT,
    so a handler's write does not wait for it (docs/reliability.md, "Faults on the cluster")."""
    alone = {"role": "master", "connected_slaves": 0}
    syncing = {"role": "master", "connected_slaves": 1,
               "slave0": {"ip": "127.0.0.1", "port": 7001, "state": "wait_bgsave"}}
    in_sync = {**syncing, "connected_slaves": 2, "slave1": {"ip": "127.0.0.1", "port": 7002, "state": "online"}}
    assert [online_replicas(info) for info in (alone, syncing, in_sync)] == [0, 0, 1]
