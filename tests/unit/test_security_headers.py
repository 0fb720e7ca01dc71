"""Every page and answer of every service carries the anti-clickjacking and privacy headers (issue 19.5):
each GET route of each app's url_map is asked, anonymous and signed in."""

from __future__ import annotations

import functools
import re
from typing import Iterator

import pytest
from flask import Flask

from stagepool_shared.auth import Principal
from stagepool_shared.web.pages import SESSION_COOKIE
from tests.fakes import FakeAccounts
from tests.fakes.matcher import matcher_wiring
from tests.fakes.reporting import bootstrap_with_doubles
from tests.unit.intake.conftest import ENV as INTAKE_ENV
from tests.unit.notifier.conftest import World


def _intake() -> tuple[Flask, object]:
    from intake.bootstrap import bootstrap
    from intake.config import Settings
    from tests.fakes import FakeKeyValue, FakePublisher
    from tests.fakes.intake import FakeIdempotencyStore, FakeIntakeStore

    wiring = bootstrap(Settings.from_env(INTAKE_ENV), publisher=FakePublisher(), redis_client=FakeKeyValue(),
                       store=FakeIntakeStore(), idempotency=FakeIdempotencyStore())
    return wiring.app(), wiring.accounts


def _matcher() -> tuple[Flask, object]:
    accounts = FakeAccounts()
    return matcher_wiring(accounts=accounts).app(), accounts


def _notifier() -> tuple[Flask, object]:
    accounts = FakeAccounts()
    return World(accounts=accounts).wiring.app(), accounts  # type: ignore[arg-type]


def _reporting() -> tuple[Flask, object]:
    accounts = FakeAccounts()
    return bootstrap_with_doubles(accounts=accounts).app(), accounts


BUILDERS = {"intake": _intake, "matcher": _matcher, "notifier": _notifier, "reporting": _reporting}
APPS = {name: functools.cache(build) for name, build in BUILDERS.items()}  # one app per service, reused
ROLE = {"intake": ("school_staff", "sch-a"), "matcher": ("regional_coordinator", "reg-1"),
        "notifier": ("student", "stu_x"), "reporting": ("desk_staff", "reg-1")}


def _get_paths(app: Flask) -> Iterator[str]:
    """Every GET route of the app, its variables filled with a plausible value."""
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and not rule.rule.startswith("/ui/"):
            yield re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", "x1", rule.rule)


def _cases() -> Iterator[tuple[str, str]]:
    for name, build in APPS.items():
        app, _ = build()
        for path in _get_paths(app):
            yield name, path


def test_the_route_list_holds_the_pages_of_every_service() -> None:
    """The parametrised test below asks every route; this one keeps it from asking none."""
    paths = {name: set(_get_paths(APPS[name]()[0])) for name in APPS}
    assert all("/login" in found and any(p.startswith("/pages/") for p in found) for found in paths.values()), paths


@pytest.mark.parametrize(("service", "path"), list(_cases()))
@pytest.mark.parametrize("signed_in", [False, True])
def test_every_page_refuses_framing_and_sends_the_privacy_headers(service: str, path: str, signed_in: bool) -> None:
    app, accounts = APPS[service]()
    client = app.test_client()
    if signed_in:
        role, scope = ROLE[service]
        session = accounts.start_session(Principal("u-1", role, scope, "reg-1"))  # type: ignore[attr-defined]
        client.set_cookie(SESSION_COOKIE, session.session_id)
    response = client.get(path)
    csp = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp, (path, response.status_code, csp)
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("Referrer-Policy") == "same-origin"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    if not path.startswith("/static/"):  # the stylesheet and scripts may be cached; nothing else
        assert "no-store" in response.headers.get("Cache-Control", ""), (path, response.status_code)
    assert "Werkzeug" not in response.headers.get("Server", "")
