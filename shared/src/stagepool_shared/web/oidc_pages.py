"""The pages' routes of the sign-in with the school's account (web.oidc has the checks): `/login/oidc` sends
the browser to the provider, `/login/oidc/callback` takes it back, checks everything and starts a session for a
person the region has mapped. Installed by `web.pages.install_web` on every service; both routes answer 404
while OpenID Connect is not configured (no STAGEPOOL_OIDC_ISSUER).
"""

from __future__ import annotations

import logging
from typing import Callable

import requests
from flask import Blueprint, Flask, Response, abort, current_app, redirect, request

from .accounts import Accounts, Session
from .federation import FederationMap
from .links import WebLinks
from .oidc import LOGINS, STATE_COOKIE, STATE_TTL_S, OidcClient, OidcRefused
from .pages import _client_address, _safe_next, _signed_in, _throttle, _too_many, render, t
from .throttle import OIDC_START_PER_ADDRESS

log = logging.getLogger(__name__)
_EXTENSION = "stagepool_oidc"


def oidc_client(accounts: Accounts, links: WebLinks) -> OidcClient | None:
    """This app's relying party (made on first use: discovery is loaded then, and cached), or None when off."""
    if not links.sign_in.oidc_enabled:
        return None
    if _EXTENSION not in current_app.extensions:
        current_app.extensions[_EXTENSION] = OidcClient(links.sign_in, accounts.client, links.oidc_redirect_url)
    return current_app.extensions[_EXTENSION]


def logout_target(accounts: Accounts, links: WebLinks, session: Session) -> str | None:
    """Where the browser goes after a local logout: the provider's end-session endpoint for a session that
    began there (when discovery names one), else None."""
    client = oidc_client(accounts, links) if session.id_token else None
    return client.logout_url(session.id_token, links.url("intake", "/login")) if client else None


def _failed(status: int, nl: str, en: str) -> Response:
    return render("stagepool/error.html", status=status, code=status,
                  title=t("Inloggen via je instelling is niet gelukt", "Signing in with your institution failed"),
                  message=t(nl, en))


def _blueprint(accounts: Callable[[], Accounts], links: WebLinks) -> Blueprint:
    bp = Blueprint("stagepool_oidc", __name__)

    @bp.get("/login/oidc")
    def begin() -> Response:
        client = oidc_client(accounts(), links)
        if client is None:
            abort(404)
        throttle, subjects = _throttle(accounts()), [("address", _client_address(), OIDC_START_PER_ADDRESS)]
        if throttle and (wait := throttle.blocked("oidc_start", subjects)):
            return _too_many(wait, "stagepool/error.html", code=429, title=t("Te veel pogingen", "Too many attempts"))
        if throttle:
            throttle.used("oidc_start", subjects)  # every start stores a state for ten minutes
        try:
            url, state = client.begin(_safe_next(request.args.get("next"), links) or "")
        except (OidcRefused, requests.RequestException, ValueError) as err:
            log.warning("oidc: provider unavailable: %s", type(err).__name__)
            return _failed(503, "Je instelling is nu niet bereikbaar. Probeer het later opnieuw, of log in met "
                                "je gebruikersnaam en wachtwoord.",
                           "Your institution cannot be reached now. Try again later, or sign in with your "
                           "username and password.")
        response = redirect(url)
        response.set_cookie(STATE_COOKIE, state, max_age=STATE_TTL_S, httponly=True, samesite="Lax",
                            secure=links.secure_cookies)
        return response

    @bp.get("/login/oidc/callback")
    def callback() -> Response:
        client = oidc_client(accounts(), links)
        if client is None:
            abort(404)
        try:
            verified = client.finish(request.args.get("state", "")[:200], request.args.get("code", "")[:2000],
                                     request.cookies.get(STATE_COOKIE))
        except OidcRefused as err:
            log.warning("oidc: sign-in refused: %s", err)
            LOGINS.labels("refused").inc()
            return _failed(401, "De aanmelding kon niet worden gecontroleerd. Begin opnieuw bij Inloggen.",
                           "The sign-in could not be verified. Start again at Sign in.")
        principal = FederationMap(accounts().client).principal_for(links.sign_in.oidc_issuer, verified.claims)
        if principal is None:
            LOGINS.labels("unmapped").inc()
            return _failed(403, "Je instellingsaccount is herkend, maar nog niet gekoppeld aan een rol in Stagepool. "
                                "Vraag de regionale coördinator van je regio om je toegang te geven.",
                           "Your institution account was recognised, but it is not linked to a role in Stagepool "
                           "yet. Ask your region's coordinator to give you access.")
        LOGINS.labels("ok").inc()
        session = accounts().start_session(principal, id_token=verified.id_token)
        response = _signed_in(session, _safe_next(verified.next_url, links) or links.home(principal.role),
                              links.secure_cookies)
        response.delete_cookie(STATE_COOKIE)
        return response

    return bp


def install_oidc(app: Flask, accounts: Callable[[], Accounts], links: WebLinks) -> None:
    """Add the two routes of the sign-in with the school's account to a service's app."""
    app.register_blueprint(_blueprint(accounts, links))
