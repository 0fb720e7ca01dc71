"""The Flask app factory of intake: blueprints per resource, the shared hardening, ops routes.

`create_app(wiring)` connects to nothing: the wiring's clients are lazy. Views reach the wiring through
`current_app.extensions["intake"]` (web.wiring()). Every request runs under a deadline of PUBLISH_TIMEOUT_S
from its start, so an answer that has to be 503 (Kafka did not acknowledge) comes within it; file imports
publish under their own timeout (importing.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

from stagepool_shared.http import add_ops_routes, add_request_deadline, harden
from stagepool_shared.web.openapi import install_api_docs
from stagepool_shared.web.pages import install_web

from . import (
    api_admin, api_catalogue, api_imports, api_internal, api_places, api_planning, api_sign_in, api_variants, api_wishes,
    openapi,
)
from .pages import register_pages
from .web import EXTENSION, install_domain_errors, install_query_checks

if TYPE_CHECKING:
    from ..bootstrap import Wiring

BLUEPRINTS = (api_wishes.bp, api_places.bp, api_admin.bp, api_imports.bp, api_internal.bp, api_sign_in.bp,
              api_planning.bp, api_variants.bp, api_catalogue.bp)


def create_app(wiring: Wiring) -> Flask:
    """The intake API and pages over a wiring (tests build it with doubles: `bootstrap(settings, ...).app()`)."""
    settings = wiring.settings
    app = Flask("intake")
    harden(app)
    add_request_deadline(app, settings.common.publish_timeout_s)
    install_domain_errors(app)
    install_query_checks(app)
    app.extensions[EXTENSION] = wiring
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    install_api_docs(app, openapi.API)
    install_web(app, lambda: wiring.accounts, settings.links)
    register_pages(app)
    add_ops_routes(app, wiring.ready)
    return app
