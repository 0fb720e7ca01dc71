"""What each command of `python -m intake` does: serve, consume, run, tokens create.

Each closes its clients in `finally`; SIGTERM/SIGINT stop the loops cleanly.
"""

from __future__ import annotations

import logging
import threading

from stagepool_shared import kafka
from stagepool_shared.runtime import stop_on_signals

from .bootstrap import bootstrap, consumer_loop
from .config import Settings
from .entrypoints.consumer import make_handler

logger = logging.getLogger(__name__)


def create_token(settings: Settings, user: str, role: str, scope: str, region: str) -> int:
    """Issue a token (stored hashed) and print it once."""
    wiring = bootstrap(settings)
    try:
        print(wiring.tokens.issue(user, role, scope, region_id=region))
        return 0
    except ValueError as err:
        print(str(err))
        return 2
    finally:
        wiring.redis_client.close()


def serve(settings: Settings) -> int:
    """The HTTP API under gunicorn (one worker process with threads; the producer is thread-safe)."""
    from gunicorn.app.base import BaseApplication

    from .entrypoints.http import create_app

    kafka.ensure_topics(settings.common.kafka_bootstrap_servers)

    class _Gunicorn(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{settings.common.http_host}:{settings.common.http_port}")
            self.cfg.set("workers", 1)
            self.cfg.set("threads", settings.workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("timeout", 60)
            self.cfg.set("accesslog", None)

        def load(self):  # noqa: ANN201 (gunicorn API)
            return create_app(settings)

    _Gunicorn().run()
    return 0


def consume(settings: Settings) -> int:
    """The round.released consumer until SIGTERM."""
    stop = stop_on_signals()
    wiring = bootstrap(settings)
    try:
        consumer_loop(wiring, stop, make_handler(wiring.intake)).run()
        return 0
    finally:
        wiring.close()


def run(settings: Settings) -> int:
    """HTTP API (werkzeug, threaded) and the consumer thread in one process (demo and docker)."""
    from .entrypoints.http import create_app
    from .entrypoints.server import BackgroundServer

    stop = stop_on_signals()
    kafka.ensure_topics(settings.common.kafka_bootstrap_servers)
    wiring = bootstrap(settings)
    app = create_app(settings, wiring=wiring)
    server = BackgroundServer(app, settings.common.http_host, settings.common.http_port)
    loop = consumer_loop(wiring, stop, make_handler(wiring.intake))
    consumer = threading.Thread(target=_guard(loop.run, stop), name="intake-consumer", daemon=True)
    consumer.start()
    server.start()
    logger.info("intake listening on %s", server.url)
    try:
        stop.wait()
    finally:
        server.stop()
        consumer.join(timeout=15)
        wiring.close()
    return 0


def _guard(target, stop: threading.Event):  # noqa: ANN001, ANN202
    """Run `target`; if it dies, stop the whole process (its supervisor restarts it)."""

    def wrapped() -> None:
        try:
            target()
        except Exception:
            logger.exception("consumer crashed; stopping the process")
        finally:
            stop.set()

    return wrapped
