"""The Flask app factory of intake: blueprints per resource, the shared hardening, ops routes.

`create_app(settings, *, publisher=None, redis_client=None)` connects to nothing: clients are lazy.
Every request runs under a deadline of PUBLISH_TIMEOUT_S from its start, so an answer that has to be 503
(Kafka did not acknowledge) comes within it; file imports publish under their own timeout (importing.py).
"""

from __future__ import annotations

from typing import Any

import redis
from flask import Flask

from stagepool_shared.http import add_ops_routes, add_request_deadline, harden
from stagepool_shared.web.accounts import Accounts
from stagepool_shared.web.pages import install_web

from ..bootstrap import Wiring, bootstrap
from ..config import Settings
from ..ports import Publisher
from . import api_admin, api_imports, api_internal, api_places, api_wishes, openapi
from .pages import register_pages
from .web import Services, install_domain_errors, install_query_checks


def create_app(settings: Settings, *, publisher: Publisher | None = None, redis_client: redis.Redis | None = None,
               wiring: Wiring | None = None, **overrides: Any) -> Flask:
    """The intake API and pages. Tests pass a FakePublisher, a Redis client or a whole Wiring."""
    wiring = wiring or bootstrap(settings, publisher=publisher, redis_client=redis_client, **overrides)
    app = Flask("intake")
    harden(app)
    add_request_deadline(app, settings.common.publish_timeout_s)
    install_domain_errors(app)
    install_query_checks(app)
    app.extensions["intake"] = Services(
        intake=wiring.intake, tokens=wiring.tokens, idempotency=wiring.idempotency,
        ready_check=wiring.ready_check, import_max_bytes=settings.import_max_bytes,
        import_max_rows=settings.import_max_rows,
    )
    app.extensions["intake_wiring"] = wiring
    for blueprint in (api_wishes.bp, api_places.bp, api_admin.bp, api_imports.bp, api_internal.bp, openapi.bp):
        app.register_blueprint(blueprint)
    accounts = Accounts(wiring.redis_client)
    install_web(app, lambda: accounts, settings.links)
    register_pages(app)
    add_ops_routes(app, wiring.ready_check)
    return app
