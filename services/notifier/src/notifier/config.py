"""The notifier's settings, read once from the environment; every missing variable is named in one error
(the skeleton is `stagepool_shared.config.ServiceSettings`). Each default is written once, on its field.

The service token and the webhook secret are refused when short (< 16) or a known default, outside the dev
stack (STAGEPOOL_ENV=dev); only the dev stack may send webhooks over plain http or to loopback and private
addresses (`webhook_allow_local`, issue 19.8). Only this module (and the shared config helpers) read os.environ.
"""

from __future__ import annotations

from dataclasses import dataclass

from stagepool_shared import topics
from stagepool_shared.config import CommonSettings, EnvReader, ServiceSettings, setting
from stagepool_shared.web.links import WebLinks


@dataclass(frozen=True)
class Settings(ServiceSettings, service="notifier", port=8003):
    """Where Kafka, Redis, intake and the SMTP server are, and how the notifier sends."""

    common: CommonSettings
    intake_url: str = setting("INTAKE_URL")
    service_token: str = setting("NOTIFIER_SERVICE_TOKEN", secret=True)
    webhook_secret: str = setting("NOTIFIER_WEBHOOK_SECRET", secret=True)
    public_url: str = "http://127.0.0.1:8003"  # NOTIFIER_PUBLIC_URL, default: this service's HTTP address
    smtp_host: str = setting("SMTP_HOST", "127.0.0.1")
    smtp_port: int = setting("SMTP_PORT", 1025)
    smtp_from: str = setting("SMTP_FROM", "stagepool@stagepool.local")
    smtp_username: str = setting("SMTP_USERNAME", "")
    smtp_password: str = setting("SMTP_PASSWORD", "")
    smtp_starttls: bool = setting("SMTP_STARTTLS", False)
    smtp_timeout_s: float = setting("SMTP_TIMEOUT_S", 10.0)
    webhook_timeout_s: float = setting("NOTIFIER_WEBHOOK_TIMEOUT_S", 5.0)
    webhook_allow_local: bool = False  # the dev stack (STAGEPOOL_ENV=dev)
    sender_threads: int = setting("NOTIFIER_SENDER_THREADS", 4)
    batch_size: int = setting("NOTIFIER_BATCH_SIZE", 50)
    lease_s: float = setting("NOTIFIER_LEASE_S", 30.0)
    mark_batch: int = setting("NOTIFIER_MARK_BATCH", 1)
    max_attempts: int = setting("NOTIFIER_MAX_ATTEMPTS", 5)
    backoff_base_s: float = setting("NOTIFIER_BACKOFF_BASE_S", 2.0)
    backoff_cap_s: float = setting("NOTIFIER_BACKOFF_CAP_S", 300.0)
    reminder_lead_s: float = setting("NOTIFIER_REMINDER_LEAD_S", 48 * 3600.0)
    reminder_interval_s: float = setting("NOTIFIER_REMINDER_INTERVAL_S", 60.0)
    idle_wait_s: float = setting("NOTIFIER_IDLE_WAIT_S", 0.2)
    topic_names: tuple[str, ...] = topics.NOTIFIER.topics  # NOTIFIER_TOPICS, comma-separated
    links: WebLinks = WebLinks()
    link_ttl_s: int = setting("NOTIFIER_LINK_TTL_S", 60 * 24 * 3600)
    retention_days: int = setting("NOTIFIER_RETENTION_DAYS", 365)
    deadline_reminder_days: tuple[float, ...] = (3.0, 1.0)  # issue 15.4: leads before a wish or choice deadline
    deadline_interval_s: float = setting("NOTIFIER_DEADLINE_INTERVAL_S", 300.0)
    reporting_url: str = setting("REPORTING_URL", "http://127.0.0.1:8004")  # issue 20.4: the school contact

    @classmethod
    def read(cls, env: EnvReader, common: CommonSettings) -> "Settings":
        return cls(
            common=common, **env.settings(cls),
            public_url=env.str("NOTIFIER_PUBLIC_URL", f"http://{common.http_host}:{common.http_port}"),
            webhook_allow_local=env.dev,
            topic_names=tuple(t for t in env.str("NOTIFIER_TOPICS", ",".join(cls.topic_names)).split(",") if t),
            links=WebLinks.read(env),
            deadline_reminder_days=_days(env),
        )


def _days(env: EnvReader) -> tuple[float, ...]:
    """NOTIFIER_DEADLINE_REMINDER_DAYS: the leads before a deadline in days, comma-separated ("3,1", the
    default; "0.5" is 12 hours), each more than 0 and at most 31; a bad value is named with the others."""
    raw = env.str("NOTIFIER_DEADLINE_REMINDER_DAYS", "3,1")
    try:
        days = tuple(float(part) for part in raw.split(",") if part.strip())
    except ValueError:
        days = ()
    if not days or any(not 0 < d <= 31 for d in days):
        env.problems.append(f"NOTIFIER_DEADLINE_REMINDER_DAYS must be days from 0 to 31 separated by commas, "
                            f"got {raw!r}")
        return Settings.deadline_reminder_days
    return days
