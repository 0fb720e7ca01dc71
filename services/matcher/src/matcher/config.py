"""The matcher service's settings, read from the environment in this one place.

Required: KAFKA_BOOTSTRAP_SERVERS, REDIS_URL. Optional with harmless local defaults: HTTP_HOST/HTTP_PORT
(127.0.0.1:8002), LOG_LEVEL, PUBLISH_TIMEOUT_S, MATCHER_RELEASE_POLL_S (how often the release worker
looks for due rounds), MATCHER_CONSUMER_GROUP (stagepool-matcher, read with the common settings as every
service's `<SERVICE>_CONSUMER_GROUP`; tests run a second matcher under their own group), the pages' links
*_PUBLIC_URL (stagepool_shared.web.links), INTAKE_URL with
MATCHER_SERVICE_TOKEN (an intake API token of role service, scope matcher; required once INTAKE_URL is set):
where the review page asks for the names of a school's own students (unset: the page shows no names).
The min-cost-flow solver has no time limit or worker count to set: it is exact and deterministic, which
keeps rounds reproducible.
Imports stagepool_shared.config (and web.links) only.
"""

from __future__ import annotations

from dataclasses import dataclass

from stagepool_shared.config import CommonSettings, EnvReader, ServiceSettings, setting
from stagepool_shared.web.links import WebLinks


@dataclass(frozen=True)
class Settings(ServiceSettings, service="matcher", port=8002):
    """Everything the matcher needs, passed down explicitly; `Settings.from_env()` builds it."""

    common: CommonSettings
    release_poll_s: float = setting("MATCHER_RELEASE_POLL_S", 1.0)
    links: WebLinks = WebLinks()
    intake_url: str = setting("INTAKE_URL", "")
    service_token: str = ""  # MATCHER_SERVICE_TOKEN, a secret required once INTAKE_URL is set
    #: processes that solve a round's components side by side (the pod's CPU limit)
    solver_workers: int = setting("MATCHER_SOLVER_WORKERS", 2)

    @classmethod
    def read(cls, env: EnvReader, common: CommonSettings) -> "Settings":
        """The matcher's own variables; a release poll that is not positive is a problem like a missing one."""
        values = env.settings(cls)
        token = env.secret("MATCHER_SERVICE_TOKEN") if values["intake_url"] else ""
        settings = cls(common=common, **values, links=WebLinks.read(env), service_token=token)
        if settings.release_poll_s <= 0:
            env.problems.append("MATCHER_RELEASE_POLL_S must be positive")
        if settings.solver_workers < 1:
            env.problems.append("MATCHER_SOLVER_WORKERS must be 1 or more")
        return settings
