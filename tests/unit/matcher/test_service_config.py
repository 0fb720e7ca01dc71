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
