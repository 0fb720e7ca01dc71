"""What the API blueprints and the pages share: the app's wiring and deps, the token store, the caller.

The wiring is put on the app by `http.create_app` (`app.extensions["reporting"]`). Imports flask and
stagepool_shared only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

from stagepool_shared.auth import Principal, TokenStore
from stagepool_shared.http import bearer_token
from stagepool_shared.web.throttle import FILING_PER_PERSON, Throttle

if TYPE_CHECKING:
    from ..bootstrap import Wiring
    from ..ports import Deps

EXTENSION = "reporting"


def wiring() -> "Wiring":
    """The Wiring of the app that serves the current request."""
    return current_app.extensions[EXTENSION]


def deps() -> "Deps":
    """The deps the commands take."""
    return wiring().deps


def tokens() -> TokenStore:
    return wiring().tokens


def caller() -> Principal | None:
    """The principal of the request's token, None when there is none or it is unknown."""
    return tokens().lookup(bearer_token())


def _filing(principal: Principal) -> tuple[Throttle, list]:
    return Throttle(wiring().client), [("person", principal.user_id, FILING_PER_PERSON)]


def filing_wait(principal: Principal) -> int:
    """Seconds before `principal` may file another desk report (issue 19.2); 0 when they may now."""
    throttle, subjects = _filing(principal)
    return throttle.blocked("desk_filing", subjects)


def filing_done(principal: Principal) -> None:
    """Count a filed report against the filer's limit (shared in Redis by every instance)."""
    throttle, subjects = _filing(principal)
    throttle.used("desk_filing", subjects)
