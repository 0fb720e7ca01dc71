"""The test platforms' pool (demo/pytest_plugin.py): every module gets Kafka and Redis no module used before,
the next module's start only when a later module asks for a platform, and every server is stopped by the end.
Servers are doubles here (recording start and stop); the real ones run in every browser and e2e module."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from demo import pytest_plugin
from demo.pytest_plugin import PlatformPool, platform_modules

MODULES = ["tests/e2e/test_a.py", "tests/e2e/test_b.py"]


class FakeServer:
    """Records start and stop; `fail` makes start raise (a broker that cannot start)."""

    started: list[Path] = []
    stopped: list[Path] = []

    def __init__(self, data_dir: Path, fail: bool = False):
        self.data_dir, self.fail, self.port = data_dir, fail, 1

    @property
    def bootstrap(self) -> str:
        return f"kafka-at-{self.data_dir.name}"

    @property
    def url(self) -> str:
        return f"redis-at-{self.data_dir.name}"

    def start(self) -> "FakeServer":
        if self.fail:
            raise RuntimeError(f"cannot start {self.data_dir}")
        FakeServer.started.append(self.data_dir)
        return self

    def stop(self) -> None:
        FakeServer.stopped.append(self.data_dir)


@pytest.fixture
def pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    FakeServer.started, FakeServer.stopped = [], []
    monkeypatch.setattr(pytest_plugin, "KafkaServer", FakeServer)
    monkeypatch.setattr(pytest_plugin, "RedisServer", FakeServer)
    counter = iter(range(100))
    return PlatformPool(lambda: tmp_path / f"platform{next(counter)}", list(MODULES))


def test_each_take_gives_servers_no_other_platform_had_and_close_stops_them_all(pool: PlatformPool, tmp_path: Path):
    first = pool.take(smtp_port=2525)
    pool.prepare_after(MODULES[0])
    pool.retire(first)
    second = pool.take(smtp_port=2526, extra_env={"NOTIFIER_LEASE_S": "5"})
    pool.retire(second)
    pool.close()
    assert first.kafka is not second.kafka and first.workdir != second.workdir
    assert (first.smtp_port, second.smtp_port) == (2525, 2526)
    assert second.env_for("notifier")["NOTIFIER_LEASE_S"] == "5" and "NOTIFIER_LEASE_S" not in first.extra_env
    assert sorted(FakeServer.stopped) == sorted(FakeServer.started) and len(FakeServer.started) == 4


def test_the_next_platform_starts_only_when_a_later_module_asks_for_one(pool: PlatformPool):
    pool.prepare_after(MODULES[-1])
    pool.prepare_after("tests/e2e/test_unknown.py")
    pool.close()
    assert FakeServer.started == []
    pool = PlatformPool(pool._new_workdir, list(MODULES))
    pool.prepare_after(MODULES[0])
    pool.close()
    assert len(FakeServer.started) == 2 and sorted(FakeServer.stopped) == sorted(FakeServer.started)


def test_a_platform_whose_servers_cannot_start_fails_the_take_and_what_started_is_stopped(
        pool: PlatformPool, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(pytest_plugin, "RedisServer", lambda data_dir: FakeServer(data_dir, fail=True))
    with pytest.raises(RuntimeError, match="cannot start"):
        pool.take(smtp_port=2525)
    pool.close()
    assert len(FakeServer.started) == 1 and FakeServer.started[0] in FakeServer.stopped


def test_servers_start_off_the_calling_thread_so_the_module_before_goes_on(pool: PlatformPool):
    threads: list[str] = []
    original = FakeServer.start
    FakeServer.start = lambda self: threads.append(threading.current_thread().name) or original(self)
    try:
        pool.prepare_after(MODULES[0])
        pool.close()
    finally:
        FakeServer.start = original
    assert threads and all(name.startswith("platform-start") for name in threads)


def item(nodeid: str, *fixtures: str) -> SimpleNamespace:
    return SimpleNamespace(nodeid=nodeid, fixturenames=list(fixtures))


def test_the_platform_modules_are_those_asking_for_a_platform_in_run_order_and_none_under_xdist():
    items = [item("tests/e2e/test_b.py::t1", "platform"), item("tests/integration/test_x.py::t", "redis_url"),
             item("tests/e2e/test_b.py::t2", "platform", "clients"), item("tests/browser/test_a.py::t", "platform")]
    session = SimpleNamespace(items=items, config=SimpleNamespace())
    assert platform_modules(session) == ["tests/e2e/test_b.py", "tests/browser/test_a.py"]
    session.config.workerinput = {"workerid": "gw0"}
    assert platform_modules(session) == []


def test_the_next_servers_start_when_a_test_of_a_platform_module_begins_not_before(pool: PlatformPool):
    session = SimpleNamespace(stash=pytest.Stash())
    pytest_plugin.pytest_runtest_call(SimpleNamespace(session=session, **vars(item(MODULES[0] + "::t", "platform"))))
    assert FakeServer.started == []  # no pool in this session yet
    session.stash[pytest_plugin._POOL] = pool
    pytest_plugin.pytest_runtest_call(SimpleNamespace(session=session, **vars(item("tests/unit/test_u.py::t"))))
    pytest_plugin.pytest_runtest_call(SimpleNamespace(session=session, **vars(item(MODULES[0] + "::t", "platform"))))
    pool.close()
    assert len(FakeServer.started) == 2
