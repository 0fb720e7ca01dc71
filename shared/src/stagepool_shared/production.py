"""`python -m <service> serve`: the production process of every service, under gunicorn (issue 19.5).

The HTTP API runs in gunicorn's threaded worker (gthread), not in Werkzeug's development server. The same
worker process also runs the service's consumer and background workers (stagepool_shared.runtime's parts),
so one container still holds one whole service, as with `run`:

- the wiring is built in the worker process, after gunicorn forks (Kafka and Redis clients are not
  fork-safe), when gunicorn loads the app;
- `post_worker_init` starts the consumer and the workers; when one of them dies, the worker stops itself and
  gunicorn's arbiter starts a fresh worker with a fresh wiring (the same rule as `run`'s exit code 1);
- `worker_exit` (SIGTERM, or the worker stopping itself) stops the parts and closes the clients.

One worker process with threads: the producer and the Redis pool are thread-safe, and one consumer group
member per process keeps the partition count the limit on parallelism, as documented in docs/scale.md.
Imports gunicorn (only here) and stagepool_shared.runtime.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from gunicorn.app.base import BaseApplication
from gunicorn.http import wsgi as gunicorn_wsgi

from .runtime import Runnable, start_parts, stop_parts

logger = logging.getLogger(__name__)

#: gunicorn writes its own `Server` line before the app's headers; it names the platform, as `run` does.
SERVER_NAME = "stagepool"


class WorkerParts:
    """The wiring of one gunicorn worker process and the threads it runs besides HTTP."""

    def __init__(self, make_wiring: Callable[[], Runnable], consume: bool = True):
        self._make_wiring = make_wiring
        self._consume = consume
        self.wiring: Runnable | None = None
        self.stop = threading.Event()
        self.crashed = threading.Event()
        self.threads: list[threading.Thread] = []

    def app(self) -> Any:
        """Build the wiring (in the worker process) and return its WSGI app."""
        self.wiring = self._make_wiring()
        return self.wiring.app()

    def post_worker_init(self, worker: Any) -> None:
        """Start the consumer and the workers, and a watcher that ends this worker when one of them dies."""
        assert self.wiring is not None, "gunicorn loads the app before post_worker_init"
        self.threads = start_parts(self.wiring, self.stop, self.crashed, self._consume)
        threading.Thread(target=self._end_worker_on_crash, args=(worker,), name="watcher", daemon=True).start()

    def worker_exit(self, _server: Any, _worker: Any) -> None:
        """Stop the parts and close the clients (the worker is leaving, by signal or by a crash)."""
        if self.wiring is not None:
            stop_parts(self.wiring, self.stop, self.threads)

    def _end_worker_on_crash(self, worker: Any) -> None:
        self.stop.wait()
        if self.crashed.is_set():
            logger.error("a part of the service died; ending this worker so that gunicorn starts a new one")
            worker.alive = False


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any], parts: WorkerParts):
        self._options = options
        self._parts = parts
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._parts.app()


def serve_gunicorn(make_wiring: Callable[[], Runnable], common: Any, consume: bool = True) -> int:
    """Run the service under gunicorn until SIGTERM/SIGINT (the arbiter handles the signals).

    Args:
        make_wiring: builds the service's Wiring; called once in each worker process.
        common: the service's CommonSettings (host, port, threads).
        consume: run the consumer in the worker too (the matcher's `serve` always does).
    """
    gunicorn_wsgi.SERVER = SERVER_NAME  # read by every gunicorn Response (gunicorn.http.wsgi.Response.version)
    parts = WorkerParts(make_wiring, consume)
    options = {
        "bind": f"{common.http_host}:{common.http_port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": common.http_threads,
        "timeout": 60,
        "graceful_timeout": 20,
        "accesslog": None,
        "control_socket_disable": True,  # no shared ~/.gunicorn socket between services on one host
        "post_worker_init": parts.post_worker_init,
        "worker_exit": parts.worker_exit,
    }
    _Gunicorn(options, parts).run()
    return 0
