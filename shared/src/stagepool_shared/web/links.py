"""Where each service's pages live, so every page can link to the others. Read from the environment
(`*_PUBLIC_URL`); defaults are the local development ports. No Flask, no Redis.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import EnvReader, SignInSettings

#: The landing page of each role: (service, path).
HOME_BY_ROLE = {
    "school_staff": ("intake", "/pages/school"),
    "support_staff": ("matcher", "/pages/review"),
    "organisation_staff": ("intake", "/pages/organisation"),
    "regional_coordinator": ("matcher", "/pages/coordinator"),
    "desk_staff": ("reporting", "/pages/desk"),
    "student": ("notifier", "/pages/student"),
    "service": ("intake", "/api/docs"),
}


@dataclass(frozen=True)
class WebLinks:
    """Public base URLs of the four services, whether the pages' cookies are `Secure` (sent over HTTPS
    only): STAGEPOOL_SECURE_COOKIES, on by default outside the dev stack (STAGEPOOL_ENV=dev), and the sign-in
    settings every service shares (the institutions' OpenID Connect provider, the API tokens' lifetime)."""

    intake: str = "http://127.0.0.1:8001"
    matcher: str = "http://127.0.0.1:8002"
    notifier: str = "http://127.0.0.1:8003"
    reporting: str = "http://127.0.0.1:8004"
    secure_cookies: bool = True
    sign_in: SignInSettings = SignInSettings()

    @classmethod
    def read(cls, env: EnvReader) -> "WebLinks":
        urls = {name: env.str(f"{name.upper()}_PUBLIC_URL", getattr(cls, name)).rstrip("/")
                for name in ("intake", "matcher", "notifier", "reporting")}
        return cls(**urls, secure_cookies=env.bool("STAGEPOOL_SECURE_COOKIES", not env.dev),
                   sign_in=SignInSettings.read(env))

    @property
    def oidc_redirect_url(self) -> str:
        """Where the institution's provider sends the browser back: intake's callback unless configured."""
        return self.sign_in.oidc_redirect_url or self.url("intake", "/login/oidc/callback")

    def url(self, service: str, path: str) -> str:
        return getattr(self, service) + path

    def home(self, role: str) -> str:
        service, path = HOME_BY_ROLE[role]
        return self.url(service, path)
