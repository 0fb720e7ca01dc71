"""Fixtures of the end-to-end and fault tests. `platform`, `smtp_server` and `mailbox` (one whole platform
per test module, service logs attached to failures) come from demo/pytest_plugin.py; `clients` gives thin
HTTP clients (demo.clients) with tokens issued in that platform's Redis.
"""

from __future__ import annotations

import pytest

from demo.clients import Clients
from demo.platform import Platform


@pytest.fixture(scope="module")
def clients(platform: Platform) -> Clients:
    """HTTP clients of the running platform: clients.intake(token), clients.as_("matcher", user, role, scope)."""
    return Clients.for_platform(platform)
