"""A small, real OpenID Connect provider for tests, built with Authlib's server parts: discovery, the
authorization code flow (with PKCE), RS256-signed ID tokens, the JWKS endpoint and an end-session endpoint,
served over HTTP on 127.0.0.1 in a background thread (`stagepool_shared.runtime.BackgroundServer`).

It is test infrastructure, not a double of our code: the relying party (stagepool_shared.web.oidc) talks to
it over HTTP exactly as it talks to SURFconext or Entree. A test chooses who signs in (`provider.user`) and
may make the provider misbehave the way a hostile or broken one would (`provider.faults`: another audience,
an expired token, a fixed nonce, another signing key). The authorization endpoint grants at once: there is
no login form to fill in.

The pytest fixture `oidc_provider` (registered by stagepool_shared.testing.plugin) starts one per test with
the client `stagepool` / `test-client-secret-0123456789`.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Iterator

import pytest
import requests
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode, UserInfo
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Flask, jsonify, redirect, request
from joserfc.jwk import RSAKey

from ..runtime import BackgroundServer

CLIENT_ID = "stagepool"
CLIENT_SECRET = "test-client-secret-0123456789"


@dataclass
class Faults:
    """Ways the provider misbehaves; all off by default."""

    audience: str | None = None  # the ID token's `aud` (another client's id)
    issuer: str | None = None  # the ID token's `iss` (another provider)
    expires_in: int | None = None  # seconds from now; negative gives an expired ID token
    nonce: str | None = None  # put this nonce in the ID token instead of the one asked for
    foreign_key: bool = False  # sign with a key that is not in the JWKS (under the kid of one that is)
    reused_nonce_ok: bool = False  # grant an authorization request whose nonce it has seen before


@dataclass
class _Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return not self.redirect_uris or redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_basic" if endpoint == "token" else True

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class _Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: dict[str, Any]
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


class TestProvider:
    """The provider's state: its keys, client, codes, the user who signs in next, and the faults."""

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True)
        # another key under the same kid: only the signature check can tell
        self.foreign_key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256", "kid": self.key.kid})
        self.client = _Client(CLIENT_ID, CLIENT_SECRET)
        self.user: dict[str, Any] = {"sub": "user-1", "email": "user@example.org", "email_verified": True}
        self.faults = Faults()
        self.codes: dict[str, _Code] = {}
        self.nonces: set[str] = set()
        self.logouts: list[dict[str, str]] = []
        self.app = self._app()
        self.server = BackgroundServer(self.app, name="oidc-provider")
        self.issuer = self.server.url

    def sign_in_as(self, sub: str, **claims: Any) -> None:
        """The user the next authorization grants: a subject and further claims (email, ...)."""
        self.user = {"sub": sub, **claims}

    def authorize(self, url: str) -> str:
        """Follow an authorization URL as the browser would and return where the provider sends it back."""
        answer = requests.get(url, allow_redirects=False, timeout=10)
        if answer.status_code != 302:
            raise AssertionError(f"the provider refused the authorization: {answer.status_code} {answer.text}")
        return answer.headers["Location"]

    # -- the Flask app ------------------------------------------------------------------------------------------
    def _app(self) -> Flask:
        app = Flask("oidc_test_provider")
        server = AuthorizationServer(app, query_client=self._query_client, save_token=lambda token, req: None)
        grant = type("ProviderCodeGrant", (_CodeGrant,), {"provider": self})  # this provider's codes
        server.register_grant(grant, [_OpenIDCode(self), CodeChallenge(required=False)])

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Any:
            return jsonify(self.metadata())

        @app.get("/jwks")
        def jwks() -> Any:
            return jsonify({"keys": [self.key.as_dict(private=False)]})

        @app.get("/authorize")
        def authorize() -> Any:
            user = dict(self.user)
            grant = server.get_consent_grant(end_user=user)  # validates the request; no consent screen
            return server.create_authorization_response(grant_user=user, grant=grant)

        @app.post("/token")
        def token() -> Any:
            return server.create_token_response()

        @app.get("/logout")
        def logout() -> Any:
            self.logouts.append(dict(request.args))
            target = request.args.get("post_logout_redirect_uri")
            return redirect(target) if target else ("signed out", 200)

        return app

    def metadata(self) -> dict[str, Any]:
        return {"issuer": self.issuer, "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token", "jwks_uri": self.issuer + "/jwks",
                "end_session_endpoint": self.issuer + "/logout", "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                "code_challenge_methods_supported": ["S256"]}

    def _query_client(self, client_id: str) -> _Client | None:
        return self.client if client_id == self.client.client_id else None


class _CodeGrant(grants.AuthorizationCodeGrant):
    """The authorization code grant over the provider's in-memory codes (each code is used once)."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]
    provider: TestProvider

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        if data.get("nonce"):
            self.provider.nonces.add(data["nonce"])  # an authorization request's nonce is used once
        self.provider.codes[code] = _Code(code, request.client.get_client_id(), request.payload.redirect_uri,
                                          request.payload.scope, request.user, data.get("nonce"),
                                          data.get("code_challenge"), data.get("code_challenge_method"))

    def query_authorization_code(self, code: str, client: _Client) -> _Code | None:
        found = self.provider.codes.get(code)
        return found if found and found.client_id == client.get_client_id() else None

    def delete_authorization_code(self, authorization_code: _Code) -> None:
        self.provider.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: _Code) -> dict[str, Any]:
        return authorization_code.user


class _OpenIDCode(OpenIDCode):
    """ID tokens: RS256 with the provider's key (or a foreign one), its issuer, the client as audience."""

    def __init__(self, provider: TestProvider):
        super().__init__(require_nonce=True)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return nonce in self.provider.nonces and not self.provider.faults.reused_nonce_ok

    def resolve_client_private_key(self, client: _Client) -> RSAKey:
        return self.provider.foreign_key if self.provider.faults.foreign_key else self.provider.key

    def get_client_algorithm(self, client: _Client) -> str:
        return "RS256"

    def get_encode_header(self, client: _Client) -> dict[str, str]:
        key = self.resolve_client_private_key(client)
        return {"alg": "RS256", "kid": key.kid or ""}

    def get_client_claims(self, client: _Client) -> dict[str, Any]:
        faults, now = self.provider.faults, int(time.time())
        expires_in = 300 if faults.expires_in is None else faults.expires_in
        return {"iss": faults.issuer or self.provider.issuer, "aud": [faults.audience or client.get_client_id()],
                "iat": min(now, now + expires_in - 60), "exp": now + expires_in}

    def get_authorization_code_claims(self, authorization_code: _Code) -> dict[str, Any]:
        claims = super().get_authorization_code_claims(authorization_code)
        if self.provider.faults.nonce is not None:
            claims["nonce"] = self.provider.faults.nonce
        return claims

    def generate_user_info(self, user: dict[str, Any], scope: str) -> UserInfo:
        return UserInfo(user)


@pytest.fixture
def oidc_provider() -> Iterator[TestProvider]:
    """A running OpenID Connect provider on 127.0.0.1 (a fresh one per test)."""
    provider = TestProvider()
    provider.server.start()
    try:
        yield provider
    finally:
        provider.server.stop()
