"""Test support shipped with the shared package: fakes of our own ports, factories, waiting, fixtures."""

from .fakes import FakePublisher

__all__ = ["FakePublisher"]
