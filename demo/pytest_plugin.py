"""pytest fixtures of a whole running platform, for the end-to-end, fault and browser tests.

`platform` gives each test module its own Kafka (KRaft), Redis (AOF always), a local SMTP server and the four
services as real processes, so a fault test may kill and restart any part without touching another module's
platform. When a test that used it fails, the tail of every service log is attached to the report.
Registered in tests/conftest.py.

Starting Kafka and Redis is most of a platform's setup (8-16 s on two cores) and stopping a platform takes
a few seconds more, so the session's `platform_pool` (PlatformPool) moves both out of the way: once a
module's first test begins (its module fixtures set up), the next module's Kafka and Redis start in a
background thread, and a finished module's platform is stopped in the background. Every module still gets
servers, data dirs and secrets that no other module has used; only when they start and stop changes.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Mapping

import pytest

from stagepool_shared.devstack import _proc
from stagepool_shared.devstack.kafka_server import KafkaServer
from stagepool_shared.devstack.redis_server import RedisServer

from .mailbox import Mailbox, SmtpServer
from .platform import Platform


@dataclass
class _Infra:
    """Kafka and Redis for one platform, started (or starting) in the background, in the platform's workdir."""

    workdir: Path
    kafka: KafkaServer
    redis: RedisServer
    started: Future

    def stop(self) -> None:
        self.kafka.stop()
        self.redis.stop()


_POOL = pytest.StashKey["PlatformPool"]()


class PlatformPool:
    """Fresh platforms for the test modules, their Kafka and Redis started one module ahead.

    `take()` hands out a platform on running Kafka and Redis (services not started yet); `prepare_after(module)`
    starts the next one's servers in the background when a later module asks for a platform; `retire()` stops
    a used platform (services, then its servers) in the background; `close()` waits for all of them.
    """

    def __init__(self, new_workdir: Callable[[], Path], modules: list[str]):
        self._new_workdir = new_workdir
        self._modules = modules  # the modules that ask for a platform, in run order
        self._starting = ThreadPoolExecutor(1, thread_name_prefix="platform-start")
        self._stopping = ThreadPoolExecutor(2, thread_name_prefix="platform-stop")
        self._spare: _Infra | None = None
        self._stops: list[Future] = []

    def take(self, smtp_port: int, extra_env: Mapping[str, str] | None = None) -> Platform:
        """A platform on the spare servers (started now when there are none), delivering to `smtp_port`."""
        infra = self._spare or self._start_infra()
        self._spare = None
        try:
            infra.started.result()
        except BaseException:
            self._stops.append(self._stopping.submit(infra.stop))
            raise
        return Platform(infra.workdir, smtp_port=smtp_port, kafka=infra.kafka, redis=infra.redis,
                        extra_env=dict(extra_env or {}))

    def prepare_after(self, module: str) -> None:
        """Start the next platform's servers in the background when a module after `module` needs one."""
        later = module in self._modules and self._modules.index(module) < len(self._modules) - 1
        if later and self._spare is None:
            self._spare = self._start_infra()

    def retire(self, platform: Platform) -> None:
        """Stop a platform taken from the pool (its services, then Kafka and Redis, by PID) in the background."""
        self._stops.append(self._stopping.submit(_stop_all, platform))

    def close(self) -> None:
        """Stop the unused spare and wait until every platform has stopped; a failed stop is raised here."""
        if self._spare is not None:
            wait([self._spare.started])
            self._stops.append(self._stopping.submit(self._spare.stop))
            self._spare = None
        self._starting.shutdown(wait=True)
        self._stopping.shutdown(wait=True)
        for stopped in self._stops:
            stopped.result()

    def _start_infra(self) -> _Infra:
        workdir = self._new_workdir()
        kafka, redis = KafkaServer(workdir / "kafka"), RedisServer(workdir / "redis")
        return _Infra(workdir, kafka, redis, self._starting.submit(lambda: (kafka.start(), redis.start())))


def _stop_all(platform: Platform) -> None:
    platform.stop()
    platform.kafka.stop()
    platform.redis.stop()


def _module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def platform_modules(session: pytest.Session) -> list[str]:
    """The node ids of the modules that ask for `platform`, in run order (none under an xdist worker, which
    runs an unknown share of them: there the pool starts each platform when its module needs it)."""
    if hasattr(session.config, "workerinput"):
        return []
    modules: list[str] = []
    for item in session.items:
        module = _module_of(item.nodeid)
        if "platform" in getattr(item, "fixturenames", ()) and module not in modules:
            modules.append(module)
    return modules


@pytest.fixture(scope="session")
def platform_pool(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformPool]:
    """The session's PlatformPool; every platform it started is stopped when the session ends."""
    pool = PlatformPool(lambda: Path(tmp_path_factory.mktemp("platform")), platform_modules(request.session))
    request.session.stash[_POOL] = pool
    try:
        yield pool
    finally:
        del request.session.stash[_POOL]
        pool.close()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """Start the next module's servers when a test of a module with a platform begins: after its module
    fixtures (which publish and wait on the fresh platform) are set up, so the broker's start does not compete
    with them for the two cores."""
    pool = item.session.stash.get(_POOL, None)
    if pool is not None and "platform" in getattr(item, "fixturenames", ()):
        pool.prepare_after(_module_of(item.nodeid))


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[SmtpServer]:
    """A real aiosmtpd server on a free port, one per module."""
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def mailbox(smtp_server: SmtpServer) -> Mailbox:
    """Every e-mail the notifier delivered in this module, in arrival order."""
    return smtp_server.mailbox


def module_platform(request: pytest.FixtureRequest, smtp_server: SmtpServer,
                    extra_env: Mapping[str, str] | None = None) -> Iterator[Platform]:
    """The body of a module's `platform` fixture: a fresh platform from the pool with its services started
    (with `extra_env`), handed back to the pool to be stopped when the module ends."""
    pool: PlatformPool = request.getfixturevalue("platform_pool")
    running = pool.take(smtp_server.port, extra_env)
    try:
        try:
            running.start_all()
        except Exception:
            print(service_logs(running))
            raise
        yield running
    finally:
        pool.retire(running)


@pytest.fixture(scope="module")
def platform(request: pytest.FixtureRequest, smtp_server: SmtpServer) -> Iterator[Platform]:
    """Kafka, Redis and the four services as real processes, for this module only."""
    yield from module_platform(request, smtp_server)


def service_logs(running: Platform, lines: int = 60) -> str:
    return "\n".join(f"--- {name} log (tail)\n{_proc.log_tail(service.log_path, lines)}"
                     for name, service in running.services.items())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # noqa: ANN201 (pytest hook)
    """On a failing test that used a platform, attach the tail of every service log to the report."""
    outcome = yield
    report = outcome.get_result()
    running = item.funcargs.get("platform") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(running, Platform):
        for name, service in running.services.items():
            report.sections.append((f"{name} log (tail)", _proc.log_tail(service.log_path, 60)))
