"""How views reach the wiring: `create_app` puts it in `app.extensions["matcher"]`, and views ask for it
through these accessors while handling a request (as intake's views do). Imports Flask only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from stagepool_shared.auth import TokenStore
    from stagepool_shared.web.accounts import Accounts

    from ..bootstrap import Wiring
    from ..ports import Deps

EXTENSION = "matcher"


def wiring() -> "Wiring":
    """The wiring of the app handling the current request."""
    return current_app.extensions[EXTENSION]


def deps() -> "Deps":
    """The dependencies every command takes."""
    return wiring().deps


def tokens() -> "TokenStore":
    """The API token store (for `stagepool_shared.http.require`)."""
    return wiring().tokens


def accounts() -> "Accounts":
    """The pages' sessions (for `stagepool_shared.web.pages.install_web`)."""
    return wiring().accounts
