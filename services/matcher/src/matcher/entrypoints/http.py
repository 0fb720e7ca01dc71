"""The matcher's Flask app: `create_app(wiring)` puts the wiring in `app.extensions["matcher"]` and registers
the module-level blueprints: the rounds API (`api_rounds`) with its OpenAPI document and docs page
(`openapi`), the sign-in of the shared web layer, the coordinator's pages (`pages`) and the review page
(`pages_review`), the what-if scenarios (`pages_scenarios`), plus /healthz /readyz /metrics.

Matcher errors map to HTTP here, in one place: RoundNotFound -> 404, RoundConflict -> 409 (with details),
FastTrackInvalid -> 422 (with the fields).
Imports Flask and the shared HTTP/web edge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, Response

from stagepool_shared.http import add_ops_routes, error, harden
from stagepool_shared.web.openapi import install_api_docs
from stagepool_shared.web.pages import install_web

from ..errors import FastTrackInvalid, RoundConflict, RoundNotFound
from . import api_rounds, openapi, pages, pages_lists, pages_review, pages_scenarios
from .web import EXTENSION, accounts

if TYPE_CHECKING:
    from ..bootstrap import Wiring


def create_app(wiring: "Wiring") -> Flask:
    """The API and pages around a built wiring (bootstrap builds it; tests hand it doubles)."""
    app = Flask("matcher")
    harden(app)
    add_ops_routes(app, wiring.ready)
    app.extensions[EXTENSION] = wiring
    app.register_blueprint(api_rounds.bp)
    install_api_docs(app, openapi.API)
    install_web(app, accounts, wiring.settings.links)
    app.register_blueprint(pages.bp)
    app.register_blueprint(pages_review.bp)
    app.register_blueprint(pages_lists.bp)
    app.register_blueprint(pages_scenarios.bp)
    app.register_error_handler(RoundNotFound, _not_found)
    app.register_error_handler(RoundConflict, _conflict)
    app.register_error_handler(FastTrackInvalid, _invalid)
    return app


def _not_found(_: RoundNotFound) -> Response:
    return error(404, "not_found", "Not found.")


def _conflict(err: RoundConflict) -> Response:
    return error(409, "conflict", str(err), fields=err.details)


def _invalid(err: FastTrackInvalid) -> Response:
    return error(422, "validation_failed", "The input is not valid.", fields=err.fields)
