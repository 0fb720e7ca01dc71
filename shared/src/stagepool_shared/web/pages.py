"""The pages' common edge, installed into each service's Flask app by `install_web`:

- sign-in (`/login`, `/logout`, `/logout/everywhere`, a student's personal link `/s/<token>`, and with the
  school's own account through OpenID Connect: web.oidc_pages), server-side sessions in a cookie (HttpOnly,
  SameSite=Lax, Secure unless WebLinks.secure_cookies is off) shared by every service on the same host; wrong
  passwords and unknown links are throttled in Redis (web.throttle: 429 with Retry-After);
- CSRF: every POST to a page carries the session's token (`csrf_token` in forms); the login form uses a
  double-submit cookie;
- one layout (`stagepool/base.html`) with the skip link, navigation, language switch (nl default, en) and
  the always-visible "how to report internship discrimination" box, plus one stylesheet;
- `t(nl, en)` in templates, so the text of each page stays in its template file.

Views of a service's pages use `page(*roles)` and `render(...)`; they call handlers, never APIs of other
services' internals.
"""

from __future__ import annotations

import functools
import secrets
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import urlparse

from flask import Blueprint, Flask, Response, abort, g, make_response, redirect, render_template, request, url_for
from jinja2 import ChoiceLoader, FileSystemLoader

from ..i18n import local_time, translate_messages
from .accounts import Accounts, Session
from .links import WebLinks
from .throttle import LINK_PER_ADDRESS, LOGIN_PER_ACCOUNT, LOGIN_PER_ADDRESS, Limit, Throttle

SESSION_COOKIE = "sp_session"
LOGIN_CSRF_COOKIE = "sp_login_csrf"
LANG_COOKIE = "lang"
_HERE = Path(__file__).parent


def current_lang() -> str:
    asked = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if asked in ("nl", "en"):
        return asked
    return request.accept_languages.best_match(["nl", "en"]) or "nl"


def t(nl: str, en: str) -> str:
    """The Dutch or English text, by the visitor's language."""
    return en if current_lang() == "en" else nl


def web_session() -> Session | None:
    return g.get("web_session")


def field_errors(messages: dict[str, Any]) -> dict[str, list[str]]:
    """Marshmallow messages translated, flattened to one list of texts per field name."""
    out: dict[str, list[str]] = {}
    for name, value in translate_messages(messages, current_lang()).items():
        out[name] = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)] or [str(value)]
    return out


def form_values(names: Iterable[str]) -> dict[str, str]:
    """The posted fields named (trimmed), without the empty ones; the CSRF token is never among them."""
    out = {}
    for name in names:
        value = request.form.get(name, "").strip()
        if value:
            out[name] = value
    return out


def typed(values: dict[str, str], names: Iterable[str]) -> dict[str, Any]:
    """What the user typed, to show again in the form (every field present, empty when not given)."""
    return {name: values.get(name, "") for name in names}


def page(*roles: str) -> Callable:
    """Decorator for a page: signed in (else to /login), with one of `roles` (else 404, like a missing page)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            session = web_session()
            if session is None:
                return redirect(url_for("stagepool_web.login", next=request.full_path))
            if roles and session.principal.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def render(template: str, status: int = 200, **context: Any) -> Response:
    """A page in the layout; its security headers are added by stagepool_shared.http.harden for every answer."""
    return make_response(render_template(template, **context), status)


def _safe_next(target: str | None, links: WebLinks) -> str | None:
    """Only redirect to our own pages (same host as one of the services)."""
    if not target:
        return None
    parsed = urlparse(target)
    if not parsed.netloc and target.startswith("/") and not target.startswith("//"):
        return target
    allowed = {urlparse(getattr(links, s)).netloc for s in ("intake", "matcher", "notifier", "reporting")}
    return target if parsed.netloc in allowed else None


def _blueprint(accounts: Callable[[], Accounts], links: WebLinks) -> Blueprint:
    bp = Blueprint("stagepool_web", __name__, static_folder=str(_HERE / "static"), static_url_path="/ui")

    @bp.route("/login", methods=["GET", "POST"])
    def login() -> Response:
        if request.method == "GET":
            token = secrets.token_urlsafe(16)
            response = render("stagepool/login.html", csrf_login=token, next=request.args.get("next", ""),
                              error=None, username="")
            response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="Strict",
                                secure=links.secure_cookies)
            return response
        form_token = request.form.get("csrf_token", "")
        if not form_token or form_token != request.cookies.get(LOGIN_CSRF_COOKIE):
            abort(400)
        store, username = accounts(), request.form.get("username", "")[:100]
        throttle, subjects = _throttle(store), _login_subjects(username)
        if throttle and (wait := throttle.blocked("login", subjects)):
            return _too_many(wait, "stagepool/login.html", csrf_login=form_token, next=request.form.get("next", ""),
                             username=username)
        principal = store.check_password(username, request.form.get("password", ""))
        if principal is None:
            if throttle:
                throttle.failure("login", subjects)
            return render("stagepool/login.html", status=401, csrf_login=form_token, next=request.form.get("next", ""),
                          error=t("Gebruikersnaam of wachtwoord klopt niet.", "Username or password is wrong."),
                          username=request.form.get("username", ""))
        if throttle:
            throttle.success("login", "account", username)
        return _signed_in(accounts().start_session(principal), _safe_next(request.form.get("next"), links)
                          or links.home(principal.role), links.secure_cookies)

    @bp.get("/s/<string(maxlength=100):token>")
    def student_link(token: str) -> Response:
        store = accounts()
        throttle, subjects = _throttle(store), [("address", _client_address(), LINK_PER_ADDRESS)]
        if throttle and (wait := throttle.blocked("student_link", subjects)):
            return _too_many(wait, "stagepool/error.html", code=429, title=t("Te veel pogingen", "Too many attempts"))
        principal = store.principal_for_link(token)
        if principal is None:
            if throttle:
                throttle.failure("student_link", subjects)
            return _bad_link()
        return _signed_in(accounts().start_session(principal), links.home(principal.role), links.secure_cookies)

    @bp.post("/logout")
    def logout() -> Response:
        session, target = web_session(), None
        if session is not None:
            if request.form.get("csrf_token") != session.csrf_token:
                abort(400, description="CSRF token missing or wrong")
            accounts().end_session(session.session_id)
            target = _provider_logout(accounts(), links, session)
        response = redirect(target or url_for("stagepool_web.login"))
        response.delete_cookie(SESSION_COOKIE)
        return response

    @bp.post("/logout/everywhere")
    def logout_everywhere() -> Response:
        """Sign out everywhere: every session of this account, on every device and service, ends."""
        session = web_session()
        if session is not None:
            if request.form.get("csrf_token") != session.csrf_token:
                abort(400, description="CSRF token missing or wrong")
            accounts().end_all_sessions(session.principal)
        response = redirect(url_for("stagepool_web.login"))
        response.delete_cookie(SESSION_COOKIE)
        return response

    @bp.get("/lang/<any(nl, en):code>")
    def switch_language(code: str) -> Response:
        response = redirect(_safe_next(request.args.get("next"), links) or "/")
        response.set_cookie(LANG_COOKIE, code, samesite="Lax", max_age=365 * 24 * 3600)
        return response

    return bp


def _provider_logout(store: Accounts, links: WebLinks, session: Session) -> str | None:
    """The institution's end-session URL for a session that began there (web.oidc_pages), else None."""
    if not session.id_token:
        return None
    from .oidc_pages import logout_target  # imports this module: loaded on first use

    return logout_target(store, links, session)


def _bad_link() -> Response:
    """404 for an unknown or expired personal link, saying what to do: ask the school for a new link."""
    return render("stagepool/bad_link.html", status=404)


def _throttle(store: object) -> Throttle | None:
    """The identity store's throttle (Redis, shared by every instance); test doubles of the store have none."""
    return getattr(store, "throttle", None)


def _client_address() -> str:
    """The caller's address as the WSGI server saw it (behind a proxy: configure it to pass the client's)."""
    return request.remote_addr or "unknown"


def _login_subjects(username: str) -> list[tuple[str, str, Limit]]:
    return [("account", username.strip(), LOGIN_PER_ACCOUNT), ("address", _client_address(), LOGIN_PER_ADDRESS)]


def _too_many(wait_s: int, template: str, **context: Any) -> Response:
    """429 with Retry-After and a message saying how long the temporary lock lasts."""
    minutes = max(1, -(-wait_s // 60))
    message = t(f"Te veel mislukte pogingen. Probeer het over {minutes} minuten opnieuw.",
                f"Too many failed attempts. Try again in {minutes} minutes.")
    response = render(template, status=429, error=message, message=message, **context)
    response.headers["Retry-After"] = str(wait_s)
    return response


def _signed_in(session: Session, target: str, secure: bool) -> Response:
    """Redirect to `target` with the session cookie (`Secure` when the pages are served over HTTPS)."""
    response = redirect(target)
    response.set_cookie(SESSION_COOKIE, session.session_id, httponly=True, samesite="Lax", max_age=8 * 3600,
                        secure=secure)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


def install_web(app: Flask, accounts: Callable[[], Accounts], links: WebLinks) -> None:
    """Add sign-in, sessions, CSRF checking, the layout and `t()` to a service's Flask app."""
    from .oidc_pages import install_oidc  # imports this module's helpers

    app.jinja_loader = ChoiceLoader([app.jinja_loader, FileSystemLoader(str(_HERE / "templates"))])
    app.register_blueprint(_blueprint(accounts, links))
    app.jinja_env.filters["local_time"] = local_time  # moments in Europe/Amsterdam, zone named (issue 14.12)
    install_oidc(app, accounts, links)

    @app.before_request
    def _load_session() -> None:
        g.web_session = accounts().session(request.cookies.get(SESSION_COOKIE))
        is_page_post = request.method == "POST" and request.path.startswith("/pages/")
        if is_page_post:
            session = g.web_session
            if session is None or request.form.get("csrf_token") != session.csrf_token:
                abort(400, description="CSRF token missing or wrong")

    @app.context_processor
    def _template_globals() -> dict[str, Any]:
        session = web_session()
        return {"t": t, "lang": current_lang(), "me": session.principal if session else None,
                "csrf_token": session.csrf_token if session else "", "links": links,
                "current_url": request.url}
