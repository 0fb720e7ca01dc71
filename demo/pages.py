"""A signed-in browser session for the demo: the coordinator's pages (the board's download, the what-if
scenarios) have no bearer-token API, so the demo uses them as a coordinator's browser would.

The session is started in the platform's Redis through the shared account store (the same store the login
page writes), so no password is needed; every POST carries the session's CSRF token, as every page form does.
Imports requests and stagepool_shared (never a service).
"""

from __future__ import annotations

from typing import Any, Iterable

import requests

from stagepool_shared.auth import Principal
from stagepool_shared.redis import connect
from stagepool_shared.web.accounts import Accounts
from stagepool_shared.web.pages import SESSION_COOKIE

from .clients import ApiError


class PageSession:
    """One signed-in person's browser: GET a page or a download, POST a form (CSRF token added)."""

    def __init__(self, redis_url: str, principal: Principal, timeout: float = 60.0):
        session = Accounts(connect(redis_url)).start_session(principal)
        self.csrf_token = session.csrf_token
        self.http = requests.Session()
        self.http.cookies.set(SESSION_COOKIE, session.session_id)
        self.timeout = timeout

    def get(self, url: str, expect: Iterable[int] = (200,), **params: str) -> requests.Response:
        """GET a page; ApiError for an unexpected status."""
        return self._checked(self.http.get(url, params=params or None, timeout=self.timeout), expect)

    def post(self, url: str, form: dict[str, Any] | None = None, expect: Iterable[int] = (200,)) -> requests.Response:
        """POST a form with the session's CSRF token, following the redirect as a browser does."""
        data = {**(form or {}), "csrf_token": self.csrf_token}
        return self._checked(self.http.post(url, data=data, timeout=self.timeout), expect)

    @staticmethod
    def _checked(response: requests.Response, expect: Iterable[int]) -> requests.Response:
        if response.status_code not in tuple(expect):
            raise ApiError(response.request.method or "", response.url, response.status_code, response.text[:300])
        return response
