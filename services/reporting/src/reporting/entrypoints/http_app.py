"""The Flask app factory: blueprints for the desk, follow-up and reports, the ops routes, and the one table
that maps reporting's domain errors to HTTP answers. Imports flask, stagepool_shared.http and the blueprints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, Response

from stagepool_shared.http import add_ops_routes, error, harden

from ..errors import IncompleteReport, InvalidTransition, NotFound
from . import desk_api, followup_api, reports_api

if TYPE_CHECKING:
    from ..bootstrap import Reporting


def create_app(reporting: "Reporting") -> Flask:
    """The HTTP app over a bootstrapped Reporting."""
    app = Flask("reporting")
    harden(app)
    app.extensions["reporting"] = reporting
    _install_domain_errors(app)
    app.register_blueprint(desk_api.blueprint)
    app.register_blueprint(followup_api.blueprint)
    app.register_blueprint(reports_api.blueprint)
    add_ops_routes(app, reporting.ready_check)
    return app


def _install_domain_errors(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def _not_found(_: NotFound) -> Response:
        return error(404, "not_found", "Not found.")

    @app.errorhandler(IncompleteReport)
    def _incomplete(err: IncompleteReport) -> Response:
        return error(422, "validation_failed", "The input is not valid.", fields=err.fields)

    @app.errorhandler(InvalidTransition)
    def _transition(err: InvalidTransition) -> Response:
        return error(409, "invalid_transition", "This case cannot move to that status.",
                     fields={"status": [f"{err.current} -> {err.wanted}"]})
