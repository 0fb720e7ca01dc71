"""Fixtures for reporting's unit tests (the fakes live in reporting_fakes.py)."""

from reporting_fakes import clock, desk, publisher, views  # noqa: F401 (fixtures)
