"""The Flask app factory: blueprints for the desk, follow-up and reports, the ops routes, and the one table
that maps reporting's domain errors to HTTP answers. Imports flask, stagepool_shared.http and the blueprints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from flask import Flask, Response

from stagepool_shared.http import add_ops_routes, error, harden
from stagepool_shared.web.accounts import Accounts
from stagepool_shared.web.pages import install_web

from ..errors import IncompleteReport, InvalidTransition, NotFound
from . import desk_api, followup_api, reports_api
from .pages_coordinator import coordinator_blueprint
from .pages_desk import desk_blueprint
from .pages_followup import followup_blueprint
from .pages_report import report_blueprint

if TYPE_CHECKING:
    from ..bootstrap import Reporting


def create_app(reporting: "Reporting", accounts: Callable[[], Accounts] | None = None) -> Flask:
    """The HTTP app over a bootstrapped Reporting: the API, and the pages (sign-in through the shared web layer
    with Accounts over reporting's Redis client unless `accounts` is given)."""
    app = Flask("reporting")
    harden(app)
    app.extensions["reporting"] = reporting
    _install_domain_errors(app)
    app.register_blueprint(desk_api.blueprint)
    app.register_blueprint(followup_api.blueprint)
    app.register_blueprint(reports_api.blueprint)
    add_ops_routes(app, reporting.ready_check)
    if accounts is None:
        shared_accounts = Accounts(reporting.client)
        accounts = lambda: shared_accounts  # noqa: E731
    install_web(app, accounts, reporting.settings.links)
    for blueprint in (coordinator_blueprint(), report_blueprint(), desk_blueprint(), followup_blueprint()):
        app.register_blueprint(blueprint)
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
