"""The intake service's settings, read from the environment in this one place.

Required: KAFKA_BOOTSTRAP_SERVERS, REDIS_URL, INTAKE_PSEUDONYM_SECRET (at least 16 characters and no known
default, unless STAGEPOOL_ENV=dev). Optional with harmless local
defaults: HTTP_HOST/HTTP_PORT (127.0.0.1:8001), LOG_LEVEL, PUBLISH_TIMEOUT_S, INTAKE_IDEMPOTENCY_TTL_S,
INTAKE_IMPORT_MAX_BYTES, INTAKE_IMPORT_MAX_ROWS, INTAKE_IMPORT_MAX_COLUMNS, INTAKE_IMPORT_MAX_CELL_CHARS,
INTAKE_IMPORT_MAX_UNPACKED_BYTES, and the pages' *_PUBLIC_URL (WebLinks).
Imports stagepool_shared.config, stagepool_shared.web.links and intake's upload limits only.
"""

from __future__ import annotations

from dataclasses import dataclass

from stagepool_shared.config import CommonSettings, EnvReader, ServiceSettings, setting
from stagepool_shared.web.links import WebLinks

from .adapters.upload_limits import TableLimits

MIN_SECRET_LENGTH = 16


@dataclass(frozen=True)
class Settings(ServiceSettings, service="intake", port=8001):
    """Everything the intake service needs, passed down explicitly."""

    common: CommonSettings
    pseudonym_secret: bytes
    idempotency_ttl_s: int = setting("INTAKE_IDEMPOTENCY_TTL_S", 24 * 3600)
    import_max_bytes: int = setting("INTAKE_IMPORT_MAX_BYTES", 32 * 1024 * 1024)
    import_max_rows: int = setting("INTAKE_IMPORT_MAX_ROWS", 100_000)
    import_max_columns: int = setting("INTAKE_IMPORT_MAX_COLUMNS", 100)
    import_max_cell_chars: int = setting("INTAKE_IMPORT_MAX_CELL_CHARS", 4000)
    import_max_unpacked_bytes: int = setting("INTAKE_IMPORT_MAX_UNPACKED_BYTES", 256 * 1024 * 1024)
    links: WebLinks = WebLinks()
    webhook_allow_local: bool = False  # STAGEPOOL_ENV=dev: http, loopback and private webhooks (issue 19.8)

    @classmethod
    def read(cls, env: EnvReader, common: CommonSettings) -> "Settings":
        """Intake's own variables: the pseudonym secret, idempotency, import limits, HTTP threads, links."""
        secret = env.secret("INTAKE_PSEUDONYM_SECRET", MIN_SECRET_LENGTH)
        return cls(common=common, pseudonym_secret=secret.encode(), **env.settings(cls), links=WebLinks.read(env),
                   webhook_allow_local=env.dev)

    @property
    def import_limits(self) -> TableLimits:
        """What one import file may hold: rows, cells per row, characters per cell, unpacked bytes."""
        return TableLimits(self.import_max_rows, self.import_max_columns, self.import_max_cell_chars,
                           self.import_max_unpacked_bytes)
