"""Reporting's settings, read once from the environment (the only module here that reads os.environ).

Required: KAFKA_BOOTSTRAP_SERVERS, REDIS_URL, REPORTING_DESK_KEY (a Fernet key: 32 bytes, url-safe base64).
Everything else has a harmless local default (the pages' *_PUBLIC_URL links too). Imports
stagepool_shared.config and the standard library only.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Mapping

from stagepool_shared.config import CommonSettings, EnvReader
from stagepool_shared.web.links import WebLinks

SERVICE_NAME = "reporting"
DEFAULT_PORT = 8004


@dataclass(frozen=True)
class DeskDeadlines:
    """Days a desk case may stay in each open status before it is overdue."""

    received_days: int = 5
    in_progress_days: int = 20
    forwarded_to_sbb_days: int = 30

    def days_for(self, status: str) -> int | None:
        """The allowed days in `status`, None for a status without deadline (closed)."""
        return {"received": self.received_days, "in_progress": self.in_progress_days,
                "forwarded_to_sbb": self.forwarded_to_sbb_days}.get(status)


@dataclass(frozen=True)
class Settings:
    """Everything reporting needs to run."""

    common: CommonSettings
    desk_key: bytes = field(repr=False)
    deadlines: DeskDeadlines = DeskDeadlines()
    escalation_threshold: int = 3
    min_contact_moments: int = 3
    links: WebLinks = WebLinks()

    @property
    def service_name(self) -> str:
        return self.common.service_name

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Build settings; one ConfigError names every missing or malformed variable."""
        env = EnvReader(environ)
        common = CommonSettings.read(env, SERVICE_NAME, DEFAULT_PORT)
        key = _desk_key(env)
        deadlines = DeskDeadlines(
            received_days=env.int("REPORTING_DESK_RECEIVED_DAYS", 5),
            in_progress_days=env.int("REPORTING_DESK_IN_PROGRESS_DAYS", 20),
            forwarded_to_sbb_days=env.int("REPORTING_DESK_FORWARDED_DAYS", 30),
        )
        threshold = env.int("REPORTING_ESCALATION_THRESHOLD", 3)
        links = WebLinks.read(env)
        env.finish(SERVICE_NAME)
        return cls(common=common, desk_key=key, deadlines=deadlines, escalation_threshold=threshold,
                   links=links)


def _desk_key(env: EnvReader) -> bytes:
    raw = env.str("REPORTING_DESK_KEY")
    if not raw:
        return b""
    try:
        decoded = base64.urlsafe_b64decode(raw.encode())
    except (binascii.Error, ValueError):
        decoded = b""
    if len(decoded) != 32:
        env.problems.append("REPORTING_DESK_KEY must be 32 bytes in url-safe base64 (a Fernet key)")
        return b""
    return raw.encode()
