"""The matcher's settings: defaults for local use, one error naming every missing variable."""

import pytest
from stagepool_shared.errors import ConfigError

from matcher.config import Settings


def test_settings_name_every_missing_variable_at_once():
    with pytest.raises(ConfigError) as err:
        Settings.from_env({"MATCHER_RELEASE_POLL_S": "0"})
    message = str(err.value)
    assert "KAFKA_BOOTSTRAP_SERVERS" in message and "REDIS_URL" in message and "MATCHER_RELEASE_POLL_S" in message


def test_settings_default_to_port_8002_on_loopback():
    settings = Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092", "REDIS_URL": "redis://127.0.0.1/0"})
    assert (settings.common.http_host, settings.common.http_port) == ("127.0.0.1", 8002)
    assert settings.release_poll_s == 1.0 and settings.service_name == "matcher"


def test_the_intake_address_for_review_names_needs_the_matcher_s_service_token():
    base = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092", "REDIS_URL": "redis://127.0.0.1/0"}
    assert Settings.from_env(base).intake_url == ""  # no intake: the review page shows no names
    with pytest.raises(ConfigError, match="MATCHER_SERVICE_TOKEN is required"):
        Settings.from_env({**base, "INTAKE_URL": "http://intake:8001"})
    with pytest.raises(ConfigError, match="MATCHER_SERVICE_TOKEN must be at least"):
        Settings.from_env({**base, "INTAKE_URL": "http://intake:8001", "MATCHER_SERVICE_TOKEN": "short"})
    settings = Settings.from_env({**base, "INTAKE_URL": "http://intake:8001",
                                  "MATCHER_SERVICE_TOKEN": "sp_a-long-enough-service-token"})
    assert (settings.intake_url, settings.service_token) == ("http://intake:8001", "sp_a-long-enough-service-token")


def test_the_solver_workers_default_to_the_pod_s_two_cores_and_must_be_one_or_more():
    base = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092", "REDIS_URL": "redis://127.0.0.1/0"}
    assert Settings.from_env(base).solver_workers == 2
    assert Settings.from_env({**base, "MATCHER_SOLVER_WORKERS": "1"}).solver_workers == 1
    with pytest.raises(ConfigError, match="MATCHER_SOLVER_WORKERS must be 1 or more"):
        Settings.from_env({**base, "MATCHER_SOLVER_WORKERS": "0"})
