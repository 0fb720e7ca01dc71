"""A plain setting is written once, on its field (`setting("SMTP_PORT", 1025)`): its variable, type and default
(issue 13.5, "one config.from_env skeleton"). `EnvReader.settings` reads those fields; what the field says is
what a service gets, and a bad or missing value is named with the others."""

from __future__ import annotations

import importlib
from dataclasses import MISSING, dataclass, fields

import pytest

from stagepool_shared.config import EnvReader, setting
from stagepool_shared.errors import ConfigError


@dataclass(frozen=True)
class Sample:
    url: str = setting("SAMPLE_URL")
    token: str = setting("SAMPLE_TOKEN", secret=True)
    port: int = setting("SAMPLE_PORT", 1025)
    wait_s: float = setting("SAMPLE_WAIT_S", 0.5)
    tls: bool = setting("SAMPLE_TLS", False)
    name: str = setting("SAMPLE_NAME", "stagepool")
    computed: int = 7  # read by the class itself, not by `settings`


def test_unset_variables_give_the_field_defaults_and_set_ones_their_typed_values():
    env = EnvReader({"SAMPLE_URL": "http://x", "SAMPLE_TOKEN": "t" * 20})
    assert env.settings(Sample) == {"url": "http://x", "token": "t" * 20, "port": 1025, "wait_s": 0.5, "tls": False,
                                    "name": "stagepool"}
    env = EnvReader({"SAMPLE_URL": "u", "SAMPLE_TOKEN": "t" * 20, "SAMPLE_PORT": "26", "SAMPLE_WAIT_S": "2.5",
                     "SAMPLE_TLS": "yes", "SAMPLE_NAME": "other"})
    assert env.settings(Sample) == {"url": "u", "token": "t" * 20, "port": 26, "wait_s": 2.5, "tls": True,
                                    "name": "other"}
    assert not env.problems
    assert Sample(**env.settings(Sample)).computed == 7


def test_missing_bad_and_weak_values_are_each_named():
    env = EnvReader({"SAMPLE_TOKEN": "short", "SAMPLE_PORT": "many", "SAMPLE_WAIT_S": "soon", "SAMPLE_TLS": "perhaps"})
    env.settings(Sample)
    assert env.problems == ["SAMPLE_URL is required", "SAMPLE_TOKEN must be at least 16 characters",
                            "SAMPLE_PORT must be a whole number, got 'many'", "SAMPLE_WAIT_S must be a number, got 'soon'",
                            "SAMPLE_TLS must be true or false, got 'perhaps'"]
    with pytest.raises(ConfigError, match="SAMPLE_URL is required; SAMPLE_TOKEN must be at least 16"):
        env.finish("sample")


@pytest.mark.parametrize("service", ("intake", "matcher", "notifier", "reporting"))
def test_each_service_gets_the_defaults_its_fields_declare(service, monkeypatch):
    settings_cls = importlib.import_module(f"{service}.config").Settings
    environ = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "REDIS_URL": "redis://127.0.0.1:1/0", "STAGEPOOL_ENV": "dev",
               "INTAKE_URL": "http://127.0.0.1:8001", "INTAKE_PSEUDONYM_SECRET": "dev-secret",
               "MATCHER_SERVICE_TOKEN": "t", "NOTIFIER_SERVICE_TOKEN": "t", "NOTIFIER_WEBHOOK_SECRET": "s",
               "REPORTING_SERVICE_TOKEN": "t", "REPORTING_DESK_KEY": "A" * 43 + "="}
    settings = settings_cls.from_env(environ)
    declared = [f for f in fields(settings_cls) if "stagepool_env" in f.metadata]
    assert declared, f"{service} declares no setting"
    for f in declared:
        if f.default is not MISSING and f.metadata["stagepool_env"] not in environ:
            assert getattr(settings, f.name) == f.default, f.name
    for f in (f for f in fields(settings.common) if "stagepool_env" in f.metadata and f.default is not MISSING
              and f.metadata["stagepool_env"] not in environ):
        assert getattr(settings.common, f.name) == f.default, f.name


def test_a_setting_of_a_type_settings_cannot_read_is_refused_by_name():
    @dataclass(frozen=True)
    class Odd:
        hosts: tuple[str, ...] = setting("ODD_HOSTS", ())

    with pytest.raises(TypeError, match="setting hosts"):
        EnvReader({}).settings(Odd)
