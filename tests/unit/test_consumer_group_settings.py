"""Every service reads its consumer group the same way: `<SERVICE>_CONSUMER_GROUP` with the common settings,
by default its group in topics.GROUP_OF_SERVICE, and its consumer loop joins that group (issue 13.5)."""

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
