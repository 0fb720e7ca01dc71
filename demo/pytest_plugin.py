"""pytest fixtures of a whole running platform, for the end-to-end, fault and browser tests.

`platform` starts its own Kafka (KRaft), Redis (AOF always), a local SMTP server and the four services as
real processes (`python -m <svc> run`), module-scoped, so a fault test may kill and restart any part
without touching another module's platform. It is stopped (by PID) when the module ends; when a test
that used it fails, the tail of every service log is attached to the report.
Registered in tests/conftest.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from stagepool_shared.devstack import _proc

from .mailbox import Mailbox, SmtpServer
from .platform import Platform


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


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory, smtp_server: SmtpServer) -> Iterator[Platform]:
    """Kafka, Redis and the four services as real processes, started once for the module."""
    running = Platform(Path(tmp_path_factory.mktemp("platform")), smtp_port=smtp_server.port)
    try:
        try:
            running.start_all()
        except Exception:
            print(service_logs(running))
            raise
        yield running
    finally:
        running.stop()


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
