"""Fixtures of the matcher's page tests: the matcher built by bootstrap with doubles (tests/fakes/matcher.py),
its deps and its Flask app. A module overrides `directory` (intake's names) or `wiring` where it needs other
doubles."""

from __future__ import annotations

import pytest

from tests.fakes import FakeAccounts
from tests.fakes.matcher import FakeStudentDirectory, matcher_wiring


@pytest.fixture
def accounts():
    return FakeAccounts()


@pytest.fixture
def directory():
    return FakeStudentDirectory()


@pytest.fixture
def wiring(accounts, directory):
    return matcher_wiring(accounts=accounts, directory=directory)


@pytest.fixture
def deps(wiring):
    return wiring.deps


@pytest.fixture
def app(wiring):
    return wiring.app()
