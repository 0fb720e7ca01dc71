"""The Flask app factory: the API blueprints (desk, follow-up, reports) with their OpenAPI document and docs
page (`openapi`), the pages, the ops routes, and the one table that maps reporting's domain errors to HTTP
answers. Blueprints and views are module-level; they reach the wiring through `web.wiring()`. Imports flask,
the shared HTTP and web layers and the blueprints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, Response

from stagepool_shared.http import add_ops_routes, error, harden, lang
from stagepool_shared.web.openapi import install_api_docs
from stagepool_shared.web.pages import install_web

from ..errors import IncompleteReport, InvalidInput, InvalidTransition, NotFound
from . import api_aftercare, api_desk, api_followup, api_internal, api_introductions, api_reports, api_sbb, openapi
from .pages import register_pages
from .pages.common import word
from .web import EXTENSION

if TYPE_CHECKING:
    from ..bootstrap import Wiring


def create_app(wiring: "Wiring") -> Flask:
    """The HTTP app over a bootstrapped Wiring: the API, and the pages (sign-in through the shared web layer
    with the wiring's accounts)."""
    app = Flask("reporting")
    harden(app)
    app.extensions[EXTENSION] = wiring
    _install_domain_errors(app)
    for blueprint in (api_desk.blueprint, api_followup.blueprint, api_reports.blueprint, api_aftercare.blueprint,
                      api_introductions.blueprint, api_sbb.blueprint, api_internal.blueprint):
        app.register_blueprint(blueprint)
    install_api_docs(app, openapi.API)
    add_ops_routes(app, wiring.ready)
    install_web(app, lambda: wiring.accounts, wiring.settings.links)
    register_pages(app)
    return app


def _install_domain_errors(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def _not_found(_: NotFound) -> Response:
        return error(404, "not_found", "Not found.")

    @app.errorhandler(IncompleteReport)
    def _incomplete(err: IncompleteReport) -> Response:
        return error(422, "validation_failed", "The input is not valid.", fields=err.fields)

    @app.errorhandler(InvalidInput)
    def _invalid(err: InvalidInput) -> Response:
        words = {name: [word(code, lang()) for code in codes] for name, codes in err.fields.items()}
        return error(422, "validation_failed", "The input is not valid.", fields=words)

    @app.errorhandler(InvalidTransition)
    def _transition(err: InvalidTransition) -> Response:
        return error(409, "invalid_transition", "This case cannot move to that status.",
                     fields={"status": [f"{err.current} -> {err.wanted}"]})
