"""Redis away for a moment (a restart, a Sentinel failover) gives a 503 with Retry-After, in the caller's
language, never a 500 with a traceback (found by tests/integration/test_cluster_faults.py: intake answered
500 during a failover). Other unexpected errors stay a 500."""

from __future__ import annotations

import pytest
import redis
from redis.sentinel import MasterNotFoundError
from flask import Flask

from stagepool_shared.http import install_error_handlers


def app_raising(error: Exception) -> Flask:
    app = Flask("store-errors")
    install_error_handlers(app)

    @app.get("/api/v1/thing")
    def thing():
        raise error

    return app


@pytest.mark.parametrize("error", [redis.ConnectionError("Connection refused"), redis.TimeoutError("timed out"),
                                   MasterNotFoundError("No master found for 'stagepool'")])
def test_redis_away_is_a_503_with_retry_after(error):
    reply = app_raising(error).test_client().get("/api/v1/thing?lang=en")
    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == "2"
    assert reply.get_json() == {"error": "unavailable",
                                "message": "The store is unavailable for a moment. Try again shortly."}


def test_the_503_is_in_dutch_by_default():
    reply = app_raising(redis.ConnectionError("gone")).test_client().get("/api/v1/thing")
    assert reply.get_json()["message"] == "De opslag is even niet bereikbaar. Probeer het zo opnieuw."


def test_another_unexpected_error_stays_a_500():
    reply = app_raising(RuntimeError("a bug")).test_client().get("/api/v1/thing")
    assert reply.status_code == 500 and reply.get_json()["error"] == "internal_error"
