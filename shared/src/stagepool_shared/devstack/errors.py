"""Errors of the dev servers; the CLI and the pytest plugin report them as they are. Imports nothing."""

from __future__ import annotations


class KafkaStartError(RuntimeError):
    """The broker (or its jars) could not be made ready; the message carries the log tail."""


class RedisStartError(RuntimeError):
    """redis-server is missing or did not answer PING; the message carries the log tail."""
