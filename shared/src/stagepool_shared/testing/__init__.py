"""Test support shipped with the shared package: the real-server fixtures (plugin.py), waiting with a
deadline, and golden samples. Test doubles live in the repository's tests/fakes/, never here."""

from .waiting import wait_until

__all__ = ["wait_until"]
