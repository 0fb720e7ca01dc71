"""Configuration from environment variables, read in one place.

`EnvReader` collects every missing or malformed variable and `finish()` raises one ConfigError naming
them all, so a misconfigured service fails fast with one clear message. Services build their own frozen
Settings on top of `CommonSettings`. A plain setting is one line, its variable and default written once on the
field (`smtp_port: int = setting("SMTP_PORT", 1025)`), read by `EnvReader.settings`; a setting with a rule of
its own (a default from another setting, a list, a check) is read in the class's `read`. Only config modules
read os.environ.
"""

from __future__ import annotations

import os
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, ClassVar, Mapping, TypeVar

from . import topics
from .errors import ConfigError

_REQUIRED = object()

#: The dev-stack flag: STAGEPOOL_ENV=dev (set by the demo, `stagepool dev` and the test fixtures) relaxes the
#: secret checks and the Secure cookie; anything else (or nothing) is treated as production.
ENV_VAR = "STAGEPOOL_ENV"
MIN_SECRET_LENGTH = 16
#: Secrets that were ever shipped or are guessed first: refused outside the dev stack.
KNOWN_DEFAULT_SECRETS = frozenset({"change-me-in-production", "changeme", "change-me", "secret", "password",
                                   "development", "dev", "test", "stagepool"})


class EnvReader:
    """Reads typed values from an environment mapping, remembering every problem."""

    def __init__(self, environ: Mapping[str, str] | None = None):
        self.environ = os.environ if environ is None else environ
        self.problems: list[str] = []

    def str(self, name: str, default: object = _REQUIRED) -> str:
        value = self.environ.get(name)
        if value is None or value == "":
            if default is _REQUIRED:
                self.problems.append(f"{name} is required")
                return ""
            return default  # type: ignore[return-value]
        return value

    def int(self, name: str, default: object = _REQUIRED) -> int:
        return self._number(name, default, int, "a whole number")

    def float(self, name: str, default: object = _REQUIRED) -> float:
        return self._number(name, default, float, "a number")

    def _number(self, name: str, default: object, convert: type, kind: str) -> Any:
        """`convert` of the variable's text; a missing or malformed one is a problem, and the value then is the
        default (0 without one), so that checks on it name no second problem."""
        raw = self.str(name, None if default is _REQUIRED else str(default))
        if raw is None:
            self.problems.append(f"{name} is required")
            return convert(0)
        try:
            return convert(raw)
        except ValueError:
            self.problems.append(f"{name} must be {kind}, got {raw!r}")
            return convert(0) if default is _REQUIRED else default

    def bool(self, name: str, default: bool = False) -> bool:
        raw = self.str(name, "1" if default else "0").strip().lower()
        if raw in ("1", "true", "yes", "on"):
            return True
        if raw in ("0", "false", "no", "off"):
            return False
        self.problems.append(f"{name} must be true or false, got {raw!r}")
        return default

    @property
    def dev(self) -> bool:
        """True in the dev stack (STAGEPOOL_ENV=dev), where short or default secrets are tolerated."""
        return self.environ.get(ENV_VAR, "").strip().lower() == "dev"

    def secret(self, name: str, min_length: int = MIN_SECRET_LENGTH) -> str:
        """A required secret; outside the dev stack one that is short or a known default is a problem too
        (issue 19.6: with a known pseudonym key, pseudonyms are reversed by trying student numbers)."""
        value = self.str(name)
        if not value or self.dev:
            return value
        if value.strip().lower() in KNOWN_DEFAULT_SECRETS:
            self.problems.append(f"{name} is a known default; generate one (python -c \"import secrets; "
                                 f"print(secrets.token_urlsafe(32))\")")
        elif len(value) < min_length:
            self.problems.append(f"{name} must be at least {min_length} characters")
        return value

    def settings(self, cls: type) -> dict[str, Any]:
        """The value of every field of the settings dataclass `cls` declared with `setting(...)`, read by its
        annotation (str, int, float or bool) or as a secret; a field without a default is required."""
        values = {}
        for f in fields(cls):
            name = f.metadata.get(_ENV)
            if name is None:
                continue
            if f.metadata[_SECRET]:
                values[f.name] = self.secret(name)
                continue
            kind = f.type if isinstance(f.type, str) else f.type.__name__
            if kind not in _KINDS:
                raise TypeError(f"setting {f.name}: a {kind} is read in `read`, not by `settings`")
            read = getattr(self, kind)
            values[f.name] = read(name) if f.default is MISSING else read(name, f.default)
        return values

    def finish(self, service: str) -> None:
        """Raise one ConfigError naming every problem found so far."""
        if self.problems:
            raise ConfigError(f"{service}: configuration incomplete: " + "; ".join(self.problems))


_ENV, _SECRET = "stagepool_env", "stagepool_secret"
_KINDS = frozenset({"str", "int", "float", "bool"})  # the annotations `settings` reads, by EnvReader's method


def setting(variable: str, default: Any = MISSING, *, secret: bool = False) -> Any:
    """A settings field read from the environment variable `variable` (`EnvReader.settings`); without a
    default the variable is required, and a `secret` is refused when short or a known default."""
    return field(default=default, metadata={_ENV: variable, _SECRET: secret})


@dataclass(frozen=True)
class CommonSettings:
    """What every service needs: where Kafka and Redis are, logging, and its HTTP port."""

    service_name: str
    kafka_bootstrap_servers: str = setting("KAFKA_BOOTSTRAP_SERVERS")
    redis_url: str  # REDIS_URL, or the Sentinels' URL (`_redis_url`)
    log_level: str = setting("LOG_LEVEL", "INFO")
    http_host: str = setting("HTTP_HOST", "127.0.0.1")
    http_port: int = 0  # HTTP_PORT, default: the service's own port
    http_threads: int = setting("HTTP_THREADS", 8)
    publish_timeout_s: float = setting("PUBLISH_TIMEOUT_S", 5.0)
    #: `<SERVICE>_CONSUMER_GROUP` (default: the service's group in topics.GROUP_OF_SERVICE, also when the
    #: settings are built in code); tests and a second deployment on the same cluster set their own.
    consumer_group: str = ""
    #: `<SERVICE>_KEY_PREFIX` (default: the service's name, also when the settings are built in code): the
    #: namespace of every Redis key the service owns; tests and a second deployment on the same Redis set their own.
    key_prefix: str = ""

    def __post_init__(self) -> None:
        """Settings built in code (tests) get the defaults `read` gives: the service's group and name."""
        if not self.consumer_group:
            object.__setattr__(self, "consumer_group", _group_of(self.service_name))
        if not self.key_prefix:
            object.__setattr__(self, "key_prefix", self.service_name)

    @classmethod
    def read(cls, env: EnvReader, service_name: str, default_port: int) -> "CommonSettings":
        return cls(
            service_name=service_name, **env.settings(cls),
            redis_url=_redis_url(env),
            http_port=env.int("HTTP_PORT", default_port),
            consumer_group=env.str(f"{service_name.upper()}_CONSUMER_GROUP", _group_of(service_name)),
            key_prefix=env.str(f"{service_name.upper()}_KEY_PREFIX", service_name),
        )


def _group_of(service_name: str) -> str:
    """The service's consumer group in topics.GROUP_OF_SERVICE (a tool that is no service: its own name)."""
    group = topics.GROUP_OF_SERVICE.get(service_name)
    return group.group_id if group else f"stagepool-{service_name}"


def _redis_url(env: EnvReader) -> str:
    """REDIS_URL, or with STAGEPOOL_REDIS_SENTINELS (`host:port,...`) the `redis+sentinel://` URL of the master
    STAGEPOOL_REDIS_MASTER ("stagepool") that stagepool_shared.redis.connect finds through the Sentinels."""
    sentinels = env.str("STAGEPOOL_REDIS_SENTINELS", "")
    if not sentinels:
        return env.str("REDIS_URL")
    if any(not h.rpartition(":")[2].isdigit() for h in sentinels.split(",")):
        env.problems.append("STAGEPOOL_REDIS_SENTINELS must be host:port pairs separated by commas")
    return f"redis+sentinel://{sentinels}/{env.str('STAGEPOOL_REDIS_MASTER', 'stagepool')}/0"


SettingsT = TypeVar("SettingsT", bound="ServiceSettings")


class ServiceSettings:
    """The base of every service's frozen `Settings` dataclass: the one `from_env` skeleton.

    A service names itself and its default HTTP port in the class statement
    (`class Settings(ServiceSettings, service="intake", port=8001)`) and writes `read(env, common)`, which
    reads its own variables; `from_env` reads the common ones first and raises one ConfigError naming every
    problem at the end.
    """

    SERVICE: ClassVar[str]
    DEFAULT_PORT: ClassVar[int]
    common: CommonSettings

    def __init_subclass__(cls, *, service: str, port: int, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.SERVICE = service
        cls.DEFAULT_PORT = port

    @property
    def service_name(self) -> str:
        return self.common.service_name

    @classmethod
    def from_env(cls: type[SettingsT], environ: Mapping[str, str] | None = None) -> SettingsT:
        """Build the settings from the environment; one ConfigError naming every missing or bad variable."""
        env = EnvReader(environ)
        common = CommonSettings.read(env, cls.SERVICE, cls.DEFAULT_PORT)
        settings = cls.read(env, common)
        env.finish(cls.SERVICE)
        return settings

    @classmethod
    def read(cls: type[SettingsT], env: EnvReader, common: CommonSettings) -> SettingsT:
        """The service's own variables on top of `common` (each service overrides this)."""
        raise NotImplementedError


@dataclass(frozen=True)
class SignInSettings:
    """Sign-in settings every service shares (issue 19): the OpenID Connect provider of the schools'
    federation (SURFconext, Entree), off while STAGEPOOL_OIDC_ISSUER is unset, and the lifetime of API tokens.

    STAGEPOOL_OIDC_ISSUER (https outside the dev stack), STAGEPOOL_OIDC_CLIENT_ID and the secret
    STAGEPOOL_OIDC_CLIENT_SECRET (required once an issuer is set), STAGEPOOL_OIDC_REDIRECT_URL (default: intake's
    public URL + /login/oidc/callback), STAGEPOOL_OIDC_SCOPE ("openid email profile");
    STAGEPOOL_TOKEN_TTL_DAYS (90).
    """

    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_redirect_url: str = ""
    oidc_scope: str = "openid email profile"
    token_ttl_s: int = 90 * 24 * 3600

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    @classmethod
    def read(cls, env: EnvReader) -> "SignInSettings":
        days = env.int("STAGEPOOL_TOKEN_TTL_DAYS", 90)
        if days < 1:
            env.problems.append("STAGEPOOL_TOKEN_TTL_DAYS must be at least 1")
        issuer = env.str("STAGEPOOL_OIDC_ISSUER", "")
        if not issuer:
            return cls(token_ttl_s=max(days, 1) * 24 * 3600)
        if not issuer.startswith("https://") and not env.dev:
            env.problems.append("STAGEPOOL_OIDC_ISSUER must be an https URL")
        return cls(oidc_issuer=issuer, oidc_client_id=env.str("STAGEPOOL_OIDC_CLIENT_ID"),
                   oidc_client_secret=env.secret("STAGEPOOL_OIDC_CLIENT_SECRET"),
                   oidc_redirect_url=env.str("STAGEPOOL_OIDC_REDIRECT_URL", ""),
                   oidc_scope=env.str("STAGEPOOL_OIDC_SCOPE", "openid email profile"),
                   token_ttl_s=max(days, 1) * 24 * 3600)
