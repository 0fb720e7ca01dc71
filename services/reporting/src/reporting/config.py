"""Reporting's settings, read once from the environment (the only module here that reads os.environ).

Required: KAFKA_BOOTSTRAP_SERVERS, REDIS_URL, REPORTING_DESK_KEY (a Fernet key: 32 bytes, url-safe base64).
Everything else has a harmless local default (the pages' *_PUBLIC_URL links too). Imports
stagepool_shared.config, the desk's deadline rule and the standard library only.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from stagepool_shared.config import CommonSettings, EnvReader, ServiceSettings, setting
from stagepool_shared.web.links import WebLinks

from .domain.desk import DeskDeadlines

__all__ = ["DeskDeadlines", "Settings"]



@dataclass(frozen=True)
class Settings(ServiceSettings, service="reporting", port=8004):
    """Everything reporting needs to run."""

    common: CommonSettings
    desk_key: bytes = field(repr=False)
    deadlines: DeskDeadlines = DeskDeadlines()
    escalation_threshold: int = setting("REPORTING_ESCALATION_THRESHOLD", 3)
    min_contact_moments: int = 3
    #: issue 20.4: the school's contact is reminded this many days before a moment (0 or more)
    contact_remind_days: int = setting("REPORTING_CONTACT_REMIND_DAYS", 3)
    #: issue 20.5: the end evaluation opens this many days before the POK's end (0 or more)
    evaluation_open_days: int = setting("REPORTING_EVALUATION_OPEN_DAYS", 14)
    links: WebLinks = WebLinks()
    intake_url: str = setting("INTAKE_URL", "")
    service_token: str = field(default="", repr=False)  # REPORTING_SERVICE_TOKEN, required once INTAKE_URL is set
    retention_days: int = setting("REPORTING_RETENTION_DAYS", 365)
    retention_by_region: tuple[tuple[str, int], ...] = ()

    @classmethod
    def read(cls, env: EnvReader, common: CommonSettings) -> "Settings":
        """Reporting's own variables: the desk key, the desk deadlines, the escalation threshold, the links."""
        key = _desk_key(env)
        deadlines = DeskDeadlines(
            received_days=env.int("REPORTING_DESK_RECEIVED_DAYS", 5),
            in_progress_days=env.int("REPORTING_DESK_IN_PROGRESS_DAYS", 20),
            forwarded_to_sbb_days=env.int("REPORTING_DESK_FORWARDED_DAYS", 30),
            sbb_answer_days=env.int("REPORTING_SBB_ANSWER_DAYS", 30),
        )
        values = env.settings(cls)
        for name in ("contact_remind_days", "evaluation_open_days"):
            values[name] = max(0, values[name])
        token = env.secret("REPORTING_SERVICE_TOKEN") if values["intake_url"] else ""
        return cls(common=common, desk_key=key, deadlines=deadlines, **values, links=WebLinks.read(env),
                   service_token=token, retention_by_region=_retention_by_region(env))


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


def _retention_by_region(env: EnvReader) -> tuple[tuple[str, int], ...]:
    """REPORTING_RETENTION_BY_REGION, e.g. "reg-groningen=180,reg-twente=730": a region's own period in days."""
    pairs = []
    for item in filter(None, (part.strip() for part in env.str("REPORTING_RETENTION_BY_REGION", "").split(","))):
        region, _, days = item.partition("=")
        if not days.strip().isdigit() or int(days) < 1:
            env.problems.append("REPORTING_RETENTION_BY_REGION must read region=days,region=days (days >= 1)")
            return ()
        pairs.append((region.strip(), int(days)))
    return tuple(pairs)
