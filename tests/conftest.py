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


# make test runs the server tests with `pytest -n 2 --dist loadfile`: a module's tests go to one worker, so its
# module fixtures (a whole platform) start once. These modules, on the replicated servers (3-node Kafka,
# Sentinel), go to one worker together, so that only one cluster and one Sentinel set start. (xdist's own
# `loadgroup` does not group under pytest 9: it renames `item._nodeid`, which pytest 9 no longer reads.)
REPLICATED_MODULES = frozenset({
    "tests/integration/test_cluster_faults.py",
    "tests/integration/test_cluster_faults_reporting.py",
    "tests/integration/test_cluster_faults_services.py",
    "tests/integration/test_kafka_cluster.py",
    "tests/integration/test_redis_sentinel.py",
})
REPLICATED_FIXTURES = {"kafka_cluster", "redis_sentinel"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # noqa: ANN001, ANN201 (xdist's Producer, scheduler)
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class ReplicatedTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = super()._split_scope(nodeid)
            return "replicated servers" if module in REPLICATED_MODULES else module

    return ReplicatedTogether(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A module on the replicated servers that REPLICATED_MODULES does not name would start a second cluster."""
    unlisted = {item.nodeid.split("::", 1)[0] for item in items
                if REPLICATED_FIXTURES & set(getattr(item, "fixturenames", ()))} - REPLICATED_MODULES
    if unlisted:
        raise pytest.UsageError(f"add {sorted(unlisted)} to REPLICATED_MODULES in tests/conftest.py")
