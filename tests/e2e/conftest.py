"""Fixtures of the end-to-end and fault tests: one whole platform per test module.

`platform` starts its own Kafka (KRaft), Redis (AOF always), a local SMTP server and the four services as
real processes (`python -m <svc> run`), module-scoped, so a fault test may kill and restart any part
without touching another module's platform. `clients` gives thin HTTP clients (demo.clients) with tokens
issued in that platform's Redis; `mailbox` collects what the notifier sent. The platform is stopped (by
PID) when the module ends; on a failure the tail of each service log is printed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # demo/ is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from demo.clients import Clients  # noqa: E402
from demo.mailbox import Mailbox, SmtpServer  # noqa: E402
from demo.platform import Platform  # noqa: E402
from stagepool_shared.devstack import _proc  # noqa: E402


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[SmtpServer]:
    """A real aiosmtpd server on a free port, one per module."""
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory, smtp_server: SmtpServer) -> Iterator[Platform]:
    """Kafka, Redis and the four services as real processes, started once for the module."""
    workdir = Path(tmp_path_factory.mktemp("platform"))
    running = Platform(workdir, smtp_port=smtp_server.port)
    try:
        try:
            running.start_all()
        except Exception:
            _print_logs(running)
            raise
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def mailbox(smtp_server: SmtpServer) -> Mailbox:
    """Every e-mail the notifier delivered in this module, in arrival order."""
    return smtp_server.mailbox


@pytest.fixture(scope="module")
def clients(platform: Platform) -> Clients:
    """HTTP clients of the running platform: clients.intake(token), clients.as_("matcher", user, role, scope)."""
    return Clients.for_platform(platform)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # noqa: ANN201 (pytest hook)
    """On a failing e2e test, attach the tail of every service log to the report."""
    outcome = yield
    report = outcome.get_result()
    running = item.funcargs.get("platform") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(running, Platform):
        for name, service in running.services.items():
            report.sections.append((f"{name} log (tail)", _proc.log_tail(service.log_path, 60)))


def _print_logs(running: Platform) -> None:
    for name, service in running.services.items():
        print(f"--- {name} log (tail)\n{_proc.log_tail(service.log_path, 60)}")
