"""Sign-in with the school's own account: the pages' OpenID Connect relying party (SURFconext, Entree), built
on Authlib's client (discovery, the authorization code flow with PKCE, ID-token checks against the JWKS).

The flow, on every service's pages (the routes are web.oidc_pages, installed by `install_web`; off while no
issuer is set):

1. `GET /login/oidc?next=...` stores a state record in Redis (`stagepool:auth:oidc:state:<state>`: the nonce,
   the PKCE verifier and where to go next; ten minutes, used once), binds the state to the browser with a
   cookie and sends the browser to the provider.
2. `GET /login/oidc/callback?code&state`: the state must be the browser's and still stored (it is taken,
   so a replayed callback fails); the code is exchanged at the token endpoint; the ID token must be signed by
   a key of the provider's JWKS (RS256 or what discovery names), come from the configured issuer, name our
   client id as audience, not be expired, and carry the nonce of this state, which is then marked used
   (`stagepool:auth:oidc:nonce:*`: a replayed nonce is refused). The claims are looked up in the region's
   mapping (web.federation); a mapped person gets a session, an unmapped one a page saying whom to ask.
3. Logout ends the local session and, when discovery names an `end_session_endpoint`, sends the browser
   there with the ID token as hint.

Nothing personal is logged: a refusal logs its reason only. Metric: `stagepool_web_oidc_logins_total{outcome}`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import redis
import requests
from authlib.integrations.base_client import BaseApp, OAuth2Mixin, OAuthError, OpenIDMixin
from authlib.integrations.requests_client import OAuth2Session
from joserfc.errors import JoseError
from prometheus_client import Counter

from ..config import SignInSettings

STATE_COOKIE = "sp_oidc_state"
STATE_TTL_S = 600
NONCE_TTL_S = 24 * 3600
LEEWAY_S = 30  # clock skew tolerated on exp and iat
_STATE = "stagepool:auth:oidc:state:"
_NONCE = "stagepool:auth:oidc:nonce:"

LOGINS = Counter("stagepool_web_oidc_logins_total", "Sign-ins with the school's account, by outcome",
                 ["outcome"])  # ok, unmapped, refused


class OidcRefused(Exception):
    """The provider's answer did not pass a check; the reason is for the log, never for the page."""


@dataclass(frozen=True)
class Verified:
    """A checked sign-in: the ID token's claims, the raw ID token (the logout hint) and where to go next."""

    claims: dict[str, Any]
    id_token: str
    next_url: str


class _Provider(OAuth2Mixin, OpenIDMixin, BaseApp):
    """Authlib's framework-free client app over requests (discovery is cached after the first load)."""

    client_cls = OAuth2Session


class OidcClient:
    """The relying party of one process: the configured provider, Redis for states and used nonces."""

    def __init__(self, settings: SignInSettings, client: redis.Redis, redirect_url: str):
        self.settings, self.client, self.redirect_url = settings, client, redirect_url
        self._provider = _Provider(
            None, client_id=settings.oidc_client_id, client_secret=settings.oidc_client_secret,
            server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": settings.oidc_scope, "code_challenge_method": "S256", "timeout": 10})

    def metadata(self) -> dict[str, Any]:
        """The discovery document; its issuer must be the configured one (OIDC Discovery 1.0, 4.3)."""
        metadata = self._provider.load_server_metadata()
        if metadata.get("issuer") != self.settings.oidc_issuer:
            raise OidcRefused("discovery names another issuer")
        return metadata

    def begin(self, next_url: str) -> tuple[str, str]:
        """The provider's authorization URL and the state to bind to the browser."""
        self.metadata()
        started = self._provider.create_authorization_url(self.redirect_url, nonce=secrets.token_urlsafe(24))
        record = {"nonce": started["nonce"], "verifier": started.get("code_verifier", ""), "next": next_url}
        self.client.set(_STATE + _digest(started["state"]), json.dumps(record), ex=STATE_TTL_S)
        return started["url"], started["state"]

    def finish(self, state: str, code: str, browser_state: str | None) -> Verified:
        """Check the callback and the ID token (OidcRefused with the reason when anything fails)."""
        if not state or not browser_state or not hmac.compare_digest(state, browser_state):
            raise OidcRefused("state missing or not this browser's")
        if not code:
            raise OidcRefused("no authorization code (the provider answered an error)")
        record = self._take_state(state)
        try:
            token = self._provider.fetch_access_token(self.redirect_url, code=code,
                                                      code_verifier=record["verifier"] or None)
            claims = self._provider.parse_id_token(token, nonce=record["nonce"], claims_options=self._options(),
                                                   leeway=LEEWAY_S)
        except (OAuthError, JoseError, requests.RequestException, ValueError, KeyError) as err:
            raise OidcRefused(f"token exchange or ID token refused: {type(err).__name__}: {err}") from err
        if claims is None or claims.get("nonce") != record["nonce"]:
            raise OidcRefused("no ID token with this state's nonce")
        if not self.client.set(nonce_key(record["nonce"]), "1", nx=True, ex=NONCE_TTL_S):
            raise OidcRefused("nonce used before")
        return Verified(dict(claims), token["id_token"], record["next"])

    def _options(self) -> dict[str, Any]:
        return {"iss": {"essential": True, "value": self.settings.oidc_issuer},
                "aud": {"essential": True, "value": self.settings.oidc_client_id},
                "exp": {"essential": True}, "iat": {"essential": True}, "nonce": {"essential": True},
                "sub": {"essential": True}}

    def _take_state(self, state: str) -> dict[str, Any]:
        pipe = self.client.pipeline(transaction=True)
        pipe.get(_STATE + _digest(state))
        pipe.delete(_STATE + _digest(state))
        raw = pipe.execute()[0]
        if raw is None:
            raise OidcRefused("state unknown, expired or used before")
        return json.loads(raw)

    def logout_url(self, id_token: str, after: str) -> str | None:
        """The provider's end-session URL (RP-initiated logout), when discovery names one."""
        try:
            endpoint = self.metadata().get("end_session_endpoint")
        except (OidcRefused, requests.RequestException, ValueError):
            return None
        if not endpoint:
            return None
        params = {"client_id": self.settings.oidc_client_id, "post_logout_redirect_uri": after}
        if id_token:
            params["id_token_hint"] = id_token
        return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params)


def nonce_key(nonce: str) -> str:
    """The identity store's marker of a used nonce."""
    return _NONCE + _digest(nonce)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
