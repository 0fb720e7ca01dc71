"""A real local SMTP server (aiosmtpd) that keeps every message it receives, for the demo and the tests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from stagepool_shared.devstack import _proc


@dataclass
class Mailbox:
    """The messages received, in arrival order (thread-safe)."""

    messages: list[EmailMessage] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self._lock:
            return len(self.messages)

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address in str(m.get("To", ""))]


class SmtpServer:
    """aiosmtpd on 127.0.0.1 and a free port, collecting into a Mailbox."""

    def __init__(self, port: int | None = None):
        self.port = port or _proc.free_ports(1)[0]
        self.mailbox = Mailbox()
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> "SmtpServer":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
