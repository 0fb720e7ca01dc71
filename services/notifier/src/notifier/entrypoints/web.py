"""What the notifier's views share: the request's `Wiring` (set on the app by create_app) and the API's
token check. Imports Flask and the shared HTTP helpers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from flask import current_app

from stagepool_shared.http import require

if TYPE_CHECKING:
    from ..bootstrap import Wiring
    from ..ports import Deps

#: The key of the wiring in `app.extensions`.
EXTENSION = "notifier"


def wiring() -> Wiring:
    """The wiring of the app serving this request."""
    return current_app.extensions[EXTENSION]


def deps() -> Deps:
    """The dependencies every command takes."""
    return wiring().deps


def requires(*roles: str) -> Callable:
    """The caller must hold an API token of one of `roles` (401 without one, 403 for another role)."""
    return require(lambda: wiring().tokens, *roles)
