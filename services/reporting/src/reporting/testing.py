"""Test support for reporting: settings for given servers, a throw-away desk key. Imports the config only."""

from __future__ import annotations

from cryptography.fernet import Fernet

from stagepool_shared.config import CommonSettings

from .config import SERVICE_NAME, DeskDeadlines, Settings


def settings_for(kafka_bootstrap: str, redis_url: str, *, key: bytes | None = None, threshold: int = 3,
                 deadlines: DeskDeadlines | None = None) -> Settings:
    """Settings pointing at the given servers, with a fresh desk key unless one is given."""
    common = CommonSettings(service_name=SERVICE_NAME, kafka_bootstrap_servers=kafka_bootstrap, redis_url=redis_url,
                            publish_timeout_s=10.0)
    return Settings(common=common, desk_key=key or Fernet.generate_key(), deadlines=deadlines or DeskDeadlines(),
                    escalation_threshold=threshold)
