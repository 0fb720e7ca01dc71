"""The notifier's Flask app: `create_app(wiring)` registers the API (`api_placements`), its OpenAPI document
and docs page, the pages (entrypoints/pages.py) and the shared sign-in (/login, /s/<token>, /logout,
/lang/<code>), plus /healthz /readyz /metrics. Imports Flask and the shared HTTP/web edge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

from stagepool_shared.http import add_ops_routes, harden
from stagepool_shared.web.openapi import install_api_docs
from stagepool_shared.web.pages import install_web

from . import api_placements, openapi, pages
from .web import EXTENSION

if TYPE_CHECKING:
    from ..bootstrap import Wiring


def create_app(wiring: Wiring) -> Flask:
    """The Flask app of the notifier, bound to its wiring: the API, and the pages when the wiring has the
    identity store (always in production; unit tests of the API may build it without Redis)."""
    app = Flask("notifier")
    harden(app)
    app.extensions[EXTENSION] = wiring
    if wiring.accounts is not None:
        accounts = wiring.accounts
        install_web(app, lambda: accounts, wiring.settings.links)
        app.register_blueprint(pages.bp)
    add_ops_routes(app, wiring.ready)
    app.register_blueprint(api_placements.api)
    install_api_docs(app, openapi.API)
    return app
