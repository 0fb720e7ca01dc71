"""The intake service's settings, read from the environment in this one place.

Required: KAFKA_BOOTSTRAP_SERVERS, REDIS_URL, INTAKE_PSEUDONYM_SECRET. Optional with harmless local
defaults: HTTP_HOST/HTTP_PORT (127.0.0.1:8001), LOG_LEVEL, PUBLISH_TIMEOUT_S, INTAKE_IDEMPOTENCY_TTL_S,
INTAKE_IMPORT_MAX_BYTES, INTAKE_IMPORT_MAX_ROWS, INTAKE_WORKERS, and the pages' *_PUBLIC_URL (WebLinks).
Imports stagepool_shared.config and stagepool_shared.web.links only.
"""

from __future__ import annotations

from dataclasses import dataclass

from stagepool_shared.config import CommonSettings, EnvReader, ServiceSettings
from stagepool_shared.web.links import WebLinks

MIN_SECRET_LENGTH = 16


@dataclass(frozen=True)
class Settings(ServiceSettings, service="intake", port=8001):
    """Everything the intake service needs, passed down explicitly."""

    common: CommonSettings
    pseudonym_secret: bytes
    idempotency_ttl_s: int = 24 * 3600
    import_max_bytes: int = 32 * 1024 * 1024
    import_max_rows: int = 100_000
    workers: int = 8
    links: WebLinks = WebLinks()

    @classmethod
    def read(cls, env: EnvReader, common: CommonSettings) -> "Settings":
        """Intake's own variables: the pseudonym secret, idempotency, import limits, HTTP threads, links."""
        secret = env.str("INTAKE_PSEUDONYM_SECRET")
        if secret and len(secret) < MIN_SECRET_LENGTH:
            env.problems.append(f"INTAKE_PSEUDONYM_SECRET must be at least {MIN_SECRET_LENGTH} characters")
        return cls(
            common=common,
            pseudonym_secret=secret.encode(),
            idempotency_ttl_s=env.int("INTAKE_IDEMPOTENCY_TTL_S", 24 * 3600),
            import_max_bytes=env.int("INTAKE_IMPORT_MAX_BYTES", 32 * 1024 * 1024),
            import_max_rows=env.int("INTAKE_IMPORT_MAX_ROWS", 100_000),
            workers=env.int("INTAKE_WORKERS", 8),
            links=WebLinks.read(env),
        )
