"""Test support shipped with the shared package: fakes of our own ports, factories, waiting, fixtures."""

from .fakes import FakePublisher
from .waiting import wait_until

__all__ = ["FakePublisher", "wait_until"]
