"""The notifier's settings, read once from the environment; every missing variable is named in one error
(the skeleton is `stagepool_shared.config.ServiceSettings`). Each default is written once, on its field.

The service token and the webhook secret are refused when short (< 16) or a known default, outside the dev
stack (STAGEPOOL_ENV=dev); only the dev stack may send webhooks over plain http or to loopback and private
addresses (`webhook_allow_local`, issue 19.8). Only this module (and the shared config helpers) read os.environ.
"""

from __future__ import annotations

from dataclasses import dataclass

from stagepool_shared import topics
from stagepool_shared.config import CommonSettings, EnvReader, ServiceSettings
from stagepool_shared.web.links import WebLinks


@dataclass(frozen=True)
class Settings(ServiceSettings, service="notifier", port=8003):
    """Where Kafka, Redis, intake and the SMTP server are, and how the notifier sends."""

    common: CommonSettings
    intake_url: str
    service_token: str
    webhook_secret: str
    public_url: str = "http://127.0.0.1:8003"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_from: str = "stagepool@stagepool.local"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_timeout_s: float = 10.0
    webhook_timeout_s: float = 5.0
    webhook_allow_local: bool = False
    sender_threads: int = 4
    batch_size: int = 50
    lease_s: float = 30.0
    mark_batch: int = 1
    max_attempts: int = 5
    backoff_base_s: float = 2.0
    backoff_cap_s: float = 300.0
    reminder_lead_s: float = 48 * 3600.0
    reminder_interval_s: float = 60.0
    idle_wait_s: float = 0.2
    topic_names: tuple[str, ...] = topics.NOTIFIER.topics
    links: WebLinks = WebLinks()
    link_ttl_s: int = 60 * 24 * 3600
    retention_days: int = 365
    deadline_reminder_days: tuple[float, ...] = (3.0, 1.0)  # issue 15.4: leads before a wish or choice deadline
    deadline_interval_s: float = 300.0
    reporting_url: str = "http://127.0.0.1:8004"  # issue 20.4: the school contact of a contact-moment reminder

    @classmethod
    def read(cls, env: EnvReader, common: CommonSettings) -> "Settings":
        return cls(
            common=common,
            intake_url=env.str("INTAKE_URL"),
            service_token=env.secret("NOTIFIER_SERVICE_TOKEN"),
            webhook_secret=env.secret("NOTIFIER_WEBHOOK_SECRET"),
            public_url=env.str("NOTIFIER_PUBLIC_URL", f"http://{common.http_host}:{common.http_port}"),
            smtp_host=env.str("SMTP_HOST", cls.smtp_host),
            smtp_port=env.int("SMTP_PORT", cls.smtp_port),
            smtp_from=env.str("SMTP_FROM", cls.smtp_from),
            smtp_username=env.str("SMTP_USERNAME", cls.smtp_username),
            smtp_password=env.str("SMTP_PASSWORD", cls.smtp_password),
            smtp_starttls=env.bool("SMTP_STARTTLS", cls.smtp_starttls),
            smtp_timeout_s=env.float("SMTP_TIMEOUT_S", cls.smtp_timeout_s),
            webhook_timeout_s=env.float("NOTIFIER_WEBHOOK_TIMEOUT_S", cls.webhook_timeout_s),
            webhook_allow_local=env.dev,
            sender_threads=env.int("NOTIFIER_SENDER_THREADS", cls.sender_threads),
            batch_size=env.int("NOTIFIER_BATCH_SIZE", cls.batch_size),
            lease_s=env.float("NOTIFIER_LEASE_S", cls.lease_s),
            mark_batch=env.int("NOTIFIER_MARK_BATCH", cls.mark_batch),
            max_attempts=env.int("NOTIFIER_MAX_ATTEMPTS", cls.max_attempts),
            backoff_base_s=env.float("NOTIFIER_BACKOFF_BASE_S", cls.backoff_base_s),
            backoff_cap_s=env.float("NOTIFIER_BACKOFF_CAP_S", cls.backoff_cap_s),
            reminder_lead_s=env.float("NOTIFIER_REMINDER_LEAD_S", cls.reminder_lead_s),
            reminder_interval_s=env.float("NOTIFIER_REMINDER_INTERVAL_S", cls.reminder_interval_s),
            idle_wait_s=env.float("NOTIFIER_IDLE_WAIT_S", cls.idle_wait_s),
            topic_names=tuple(t for t in env.str("NOTIFIER_TOPICS", ",".join(cls.topic_names)).split(",") if t),
            links=WebLinks.read(env),
            link_ttl_s=env.int("NOTIFIER_LINK_TTL_S", cls.link_ttl_s),
            retention_days=env.int("NOTIFIER_RETENTION_DAYS", cls.retention_days),
            deadline_reminder_days=_days(env),
            deadline_interval_s=env.float("NOTIFIER_DEADLINE_INTERVAL_S", cls.deadline_interval_s),
            reporting_url=env.str("REPORTING_URL", cls.reporting_url),
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
