"""Every service reads its consumer group and its Redis key prefix the same way, with the common settings
(issue 13.5): `<SERVICE>_CONSUMER_GROUP`, by default its group in topics.GROUP_OF_SERVICE, which its consumer
loop joins; `<SERVICE>_KEY_PREFIX`, by default the service's name, under which its wiring keeps its keys."""

from __future__ import annotations

import importlib
import threading
from types import SimpleNamespace

import pytest

from stagepool_shared import topics
from stagepool_shared.config import CommonSettings, EnvReader

SERVICES = ("intake", "matcher", "notifier", "reporting")
BASE = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "REDIS_URL": "redis://127.0.0.1:1/0"}


def common(service: str, **env: str) -> CommonSettings:
    return CommonSettings.read(EnvReader({**BASE, **env}), service, 8000)


@pytest.mark.parametrize("service", SERVICES)
def test_the_group_defaults_to_the_service_s_own_and_its_variable_sets_another(service):
    assert common(service).consumer_group == topics.GROUP_OF_SERVICE[service].group_id == f"stagepool-{service}"
    assert common(service, **{f"{service.upper()}_CONSUMER_GROUP": "g-test"}).consumer_group == "g-test"
    assert CommonSettings(service, "127.0.0.1:1", "redis://127.0.0.1:1/0").consumer_group == f"stagepool-{service}"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_s_consumer_joins_the_configured_group_on_its_own_topics(service):
    settings = SimpleNamespace(common=common(service, **{f"{service.upper()}_CONSUMER_GROUP": "g-test"}),
                               topic_names=topics.NOTIFIER.topics)
    wiring = SimpleNamespace(settings=settings, deps=SimpleNamespace(publisher=None), publisher=None,
                             dead_letters=lambda: None)
    make = importlib.import_module(f"{service}.entrypoints.consumer").make_consumer
    loop = make(wiring, threading.Event())
    assert loop.group_id == "g-test"
    assert loop.topic_names == topics.GROUP_OF_SERVICE[service].topics


#: Each service's required settings beyond Kafka and Redis (no value is used: the wiring is only built).
REQUIRED = {"intake": {"INTAKE_PSEUDONYM_SECRET": "s" * 32},
            "matcher": {},
            "notifier": {"INTAKE_URL": "http://intake", "NOTIFIER_SERVICE_TOKEN": "t" * 32,
                         "NOTIFIER_WEBHOOK_SECRET": "w" * 32},
            "reporting": {"REPORTING_DESK_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}}


@pytest.mark.parametrize("service", SERVICES)
def test_the_key_prefix_defaults_to_the_service_s_name_and_its_variable_sets_another(service):
    assert common(service).key_prefix == service
    assert CommonSettings(service, "127.0.0.1:1", "redis://127.0.0.1:1/0").key_prefix == service  # built in code
    assert common(service, **{f"{service.upper()}_KEY_PREFIX": "kp-test"}).key_prefix == "kp-test"


def _idempotent_store(service: str, deps):
    """The service's Redis adapter that applies events once (each has an IdempotentApplier)."""
    return deps.projections if service == "reporting" else deps.store


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_s_wiring_keeps_its_redis_keys_under_the_configured_prefix(service):
    """Built with a Redis client that is never reached (redis-py connects on the first command)."""
    from tests.fakes.common import FakePublisher

    env = {**BASE, **REQUIRED[service], f"{service.upper()}_KEY_PREFIX": "kp-test"}
    settings = importlib.import_module(f"{service}.config").Settings.from_env(env)
    bootstrap = importlib.import_module(f"{service}.bootstrap").bootstrap
    wiring = bootstrap(settings, publisher=FakePublisher(), **({"registry": None} if service == "reporting" else {}))
    try:
        store = _idempotent_store(service, wiring.deps)
        assert store.applier.marker("e-1") == "kp-test:processed:e-1"
        if service == "matcher":  # its keys were fixed `matcher:` strings before
            assert store.keys.round("r-1") == "kp-test:round:r-1"
            assert wiring.deps.scenarios.keys.scenario_queue() == "kp-test:scenario:queue"
            assert wiring.release_lease.name.startswith("kp-test:")
    finally:
        wiring.close()
