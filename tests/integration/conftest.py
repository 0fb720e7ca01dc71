"""Integration tests: real Kafka and Redis from the shared plugin (tests/conftest.py).

`served_schema` is the schemathesis schema of the document a module's `fuzzed` service serves
(stagepool_shared.testing.fuzz); a fuzz module hands it to `schemathesis.pytest.from_fixture`.
"""

from __future__ import annotations

import pytest

from stagepool_shared.testing.fuzz import FuzzedService, fuzz_schema


@pytest.fixture
def served_schema(fuzzed: FuzzedService, request: pytest.FixtureRequest):
    return fuzz_schema(fuzzed, request)
