"""Root of the test suite.

The real-server fixtures (Kafka in KRaft mode, redis-server) come from the shared package's plugin, the
whole-platform fixtures (every service a process) from demo/pytest_plugin.py.
A skipped test fails the run: a Kafka or Redis test that did not run is not a pass.
"""

import pytest

pytest_plugins = ["stagepool_shared.testing.plugin", "demo.pytest_plugin"]


def _skipped(session: pytest.Session) -> list:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    return list(reporter.stats.get("skipped", [])) if reporter else []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped(session) and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001 (pytest hook)
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.write_line(
            f"FAILED: {len(skipped)} test(s) were skipped; in Stagepool a skipped test is a failure.", red=True)


REPLICATED = {"kafka_cluster", "redis_sentinel"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """For `pytest -n 2 --dist loadgroup` (make test's server tests): a module's tests go to one worker, so its
    module fixtures (a whole platform) start once; the modules on the replicated servers all go to one worker,
    so only one 3-node cluster and one Sentinel set start. Runs before xdist reads the groups."""
    replicated = {item.module.__name__ for item in items if REPLICATED & set(getattr(item, "fixturenames", ()))}
    for item in items:
        module = item.module.__name__
        item.add_marker(pytest.mark.xdist_group("replicated" if module in replicated else module))
