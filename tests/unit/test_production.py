"""The gunicorn worker's parts (stagepool_shared.production): the wiring is built when gunicorn loads the app,
the workers start after the worker's init, a part that dies ends the worker (so the arbiter starts a new
one), and the worker's exit stops the parts and closes the wiring."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from stagepool_shared.production import WorkerParts
from stagepool_shared.runtime import Worker
from stagepool_shared.testing import wait_until


class Wiring:
    """A service's wiring with one worker whose step fails when told to."""

    def __init__(self) -> None:
        self.fail = threading.Event()
        self.steps = 0
        self.closed = False

    def app(self) -> str:
        return "wsgi-app"

    def consumer(self, stop: threading.Event) -> SimpleNamespace:
        return SimpleNamespace(run=lambda: stop.wait())

    def workers(self) -> list[Worker]:
        return [Worker("ticker", self._step, idle_s=0.01)]

    def ready(self) -> dict[str, bool]:
        return {"redis": True}

    def close(self) -> None:
        self.closed = True

    def _step(self) -> int:
        self.steps += 1
        if self.fail.is_set():
            raise RuntimeError("a broken part")
        return 0


def test_a_part_that_dies_ends_the_gunicorn_worker_and_its_exit_closes_the_wiring() -> None:
    wiring = Wiring()
    parts = WorkerParts(lambda: wiring)
    assert parts.app() == "wsgi-app"
    worker = SimpleNamespace(alive=True)
    parts.post_worker_init(worker)
    wait_until(lambda: wiring.steps > 2, timeout=5)
    assert worker.alive and {t.name for t in parts.threads} == {"ticker", "consumer"}
    wiring.fail.set()
    wait_until(lambda: not worker.alive, timeout=5, message="the worker kept serving with a dead part")
    parts.worker_exit(None, worker)
    assert wiring.closed and not any(t.is_alive() for t in parts.threads)


def test_a_signalled_exit_stops_the_parts_without_marking_a_crash() -> None:
    wiring = Wiring()
    parts = WorkerParts(lambda: wiring)
    parts.app()
    worker = SimpleNamespace(alive=True)
    parts.post_worker_init(worker)
    parts.worker_exit(None, worker)
    assert wiring.closed and not parts.crashed.is_set() and worker.alive  # gunicorn itself ends the worker
    assert not any(t.is_alive() for t in parts.threads)
