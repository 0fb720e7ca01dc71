"""The one process runner of every service: HTTP, the Kafka consumer and the background workers in one
process, with one clean stop and one readiness answer.

A service's `Wiring` (its `bootstrap.py`) offers `app()`, `consumer(stop)`, `workers()`, `ready()` and
`close()`; `serve` runs them until SIGTERM/SIGINT or until a part dies. A part that dies stops the whole
process with exit code 1, so that its supervisor restarts it instead of it serving on half-alive.
`command_parser`, `load_settings` and `stop_on_signals` are what every service's `__main__` starts with.
Imports werkzeug, the shared metrics server and the shared Kafka loop's type only.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from dataclasses import dataclass
from typing import Any, Callable, Protocol, Sequence

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from . import astguard
from .errors import ConfigError, PublishFailed
from .logging import configure_logging
from .metrics import HealthServer
from .redis import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)

#: Errors after which a worker waits and tries again: Redis restarting, Kafka not acknowledging.
RETRYABLE = TRANSIENT_ERRORS + (PublishFailed,)


def load_settings(settings_class: Any) -> Any | None:
    """The service's Settings from the environment, with logging configured; None after printing the one
    ConfigError that names every missing or malformed variable (the caller exits with code 2). Also guards
    `ast.parse`, which Python 3.11's traceback formatting calls from every thread that logs an exception
    (stagepool_shared.astguard)."""
    astguard.install()
    try:
        settings = settings_class.from_env()
    except ConfigError as err:
        print(err, file=sys.stderr)
        return None
    configure_logging(settings.service_name, settings.common.log_level)
    return settings


def command_parser(prog: str, description: str, commands: dict[str, str],
                   ) -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """A service's command line, `python -m <prog> <command>`: one sub-command per entry of `commands` (name ->
    help, in the order given). Returns the parser and each sub-command's parser, for those that take arguments."""
    parser = argparse.ArgumentParser(prog=prog, description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    return parser, {name: sub.add_parser(name, help=text) for name, text in commands.items()}


def stop_on_signals() -> threading.Event:
    """An event set when the process receives SIGTERM or SIGINT (call from the main thread)."""
    stop = threading.Event()

    def _handler(signum: int, _frame: object) -> None:
        logger.info("received signal %d, stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _handler)
    signal.signal(signal.SIGINT, _handler)
    return stop


@dataclass(frozen=True)
class Worker:
    """A background loop: `step()` does one unit of work and returns how much it did; 0 means idle, and the
    loop then waits `idle_s` before looking again."""

    name: str
    step: Callable[[], int]
    idle_s: float


def run_worker(worker: Worker, stop: threading.Event, crashed: threading.Event) -> None:
    """Run `worker.step` until stopped. A transient error is logged and retried after a pause; any other
    error sets `crashed` and `stop`, so the process exits non-zero and is restarted."""
    while not stop.is_set():
        try:
            done = worker.step()
        except RETRYABLE as err:
            logger.warning("%s: transient error %s; retrying", worker.name, err)
            done = 0
            stop.wait(max(worker.idle_s, 1.0))
        except Exception:
            logger.exception("%s: unexpected error; stopping the process so it is restarted", worker.name)
            crashed.set()
            stop.set()
            return
        if not done:
            stop.wait(worker.idle_s)


def start_workers(workers: Sequence[Worker], stop: threading.Event,
                  crashed: threading.Event) -> list[threading.Thread]:
    """Start each worker in a daemon thread of its own name."""
    threads = []
    for worker in workers:
        thread = threading.Thread(target=run_worker, args=(worker, stop, crashed), name=worker.name, daemon=True)
        thread.start()
        threads.append(thread)
    return threads


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's request handler without its `Server: Werkzeug/x Python/y` banner (issue 19.5): the app's
    own headers (stagepool_shared.http) say all a client needs."""

    def send_response(self, code: int, message: str | None = None) -> None:
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())


class BackgroundServer:
    """Serves a WSGI app on host:port (port 0 picks a free one) in a daemon thread until `stop()`."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, name: str = "http"):
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True,
                                                   request_handler=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name=name, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_port

    @property
    def url(self) -> str:
        return f"http://{self._server.host}:{self.port}"

    def start(self) -> "BackgroundServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


class Runnable(Protocol):
    """What `serve` needs of a service's Wiring."""

    settings: Any  # the service's Settings; serve reads settings.common

    def app(self) -> Any: ...
    def consumer(self, stop: threading.Event) -> Any: ...
    def workers(self) -> Sequence[Worker]: ...
    def ready(self) -> dict[str, bool]: ...
    def close(self) -> None: ...


def _guarded(target: Callable[[], None], stop: threading.Event, crashed: threading.Event) -> Callable[[], None]:
    """Run `target`; if it ends before the stop (an error or a return), stop the process as crashed."""

    def run() -> None:
        try:
            target()
        except Exception:
            logger.exception("the consumer crashed; stopping the process")
        finally:
            if not stop.is_set():
                crashed.set()
                stop.set()

    return run


def start_parts(wiring: Runnable, stop: threading.Event, crashed: threading.Event,
                consume: bool = True) -> list[threading.Thread]:
    """Start the wiring's background workers and (with `consume`) its consumer, each in a daemon thread."""
    threads = start_workers(wiring.workers(), stop, crashed)
    if consume:
        loop = wiring.consumer(stop)
        threads.append(threading.Thread(target=_guarded(loop.run, stop, crashed), name="consumer", daemon=True))
        threads[-1].start()
    return threads


def stop_parts(wiring: Runnable, stop: threading.Event, threads: Sequence[threading.Thread]) -> None:
    """Stop the parts started by `start_parts`, wait for them, and close the wiring's clients."""
    stop.set()
    for thread in threads:
        thread.join(timeout=15)
    wiring.close()


def serve(wiring: Runnable, stop: threading.Event, *, api: bool = True, consume: bool = True) -> int:
    """Run one service process until `stop` is set: the HTTP API (or, with api=False, only /healthz,
    /readyz and /metrics), the workers and the consumer. Closes everything on the way out.

    Returns the exit code: 0 after a clean stop, 1 when a part died (the supervisor restarts the process).
    """
    common = wiring.settings.common
    crashed = threading.Event()
    http: BackgroundServer | HealthServer
    if api:
        http = BackgroundServer(wiring.app(), common.http_host, common.http_port).start()
    else:
        http = HealthServer(common.http_host, common.http_port, wiring.ready).start()
    logger.info("%s listening on %s:%d", common.service_name, common.http_host, http.port)
    threads: list[threading.Thread] = []
    try:
        threads = start_parts(wiring, stop, crashed, consume)
        stop.wait()
    finally:
        http.stop()
        stop_parts(wiring, stop, threads)
    return 1 if crashed.is_set() else 0
