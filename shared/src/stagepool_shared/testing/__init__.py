"""Test support shipped with the shared package: the real-server fixtures (plugin.py), waiting with a
deadline and steps run at once, golden samples, and fuzzing a service against its served OpenAPI document (fuzz.py). Test doubles
live in the repository's tests/fakes/, never here."""

from .waiting import at_once, wait_until

__all__ = ["at_once", "wait_until"]
