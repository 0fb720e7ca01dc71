"""Test support shipped with the shared package: fakes of our own ports, factories, waiting, fixtures."""

from .fakes import FakeKeyValue, FakePublisher
from .waiting import wait_until

__all__ = ["FakeKeyValue", "FakePublisher", "wait_until"]
