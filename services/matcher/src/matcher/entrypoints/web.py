"""How views reach the wiring: `create_app` puts it in `app.extensions["matcher"]`, and views ask for it
through these accessors while handling a request (as intake's views do); and the schools' display names,
asked of intake at most once per request. Imports Flask and the matcher's commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from flask import current_app, g

from .. import commands

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


def school_names(school_ids: Iterable[str]) -> dict[str, str]:
    """Display name per school id for this request (issue 14.16): intake is asked only for ids this request
    has not asked yet; an id intake does not name stays the id."""
    cache: dict[str, str] = g.setdefault("matcher_school_names", {})
    wanted = {s for s in school_ids if s}
    if wanted - cache.keys():
        cache.update(commands.school_names(deps(), wanted - cache.keys()))
    return {s: cache[s] for s in wanted}
