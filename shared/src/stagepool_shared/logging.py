"""One-call logging setup: JSON lines to stdout with service, event id and correlation id.

Handlers bind the current event with `log_context(...)`; never log personal data, only pseudonyms.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
from typing import Iterator

_context: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("stagepool_log_context", default={})


@contextlib.contextmanager
def log_context(**values: str | None) -> Iterator[None]:
    """Attach values (event_id, correlation_id...) to every log line written inside the block."""
    merged = {**_context.get(), **{k: v for k, v in values.items() if v is not None}}
    token = _context.set(merged)
    try:
        yield
    finally:
        _context.reset(token)


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object per line."""

    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            **_context.get(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every log line of the process to stdout as JSON; quieten kafka-python's chatter."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("kafka").setLevel(logging.WARNING)
