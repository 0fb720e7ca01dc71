"""Delivery channels: e-mail over SMTP, a signed webhook, and the in-app inbox.

SMTP keeps one session per sender thread across messages and batches (a session idle for longer than
`idle_check_s` is checked with NOOP first and replaced when the server has closed it, before any message
is in flight); a refused recipient or a 5xx is permanent, everything else is retried. The webhook signs
the exact body with HMAC-SHA256 (header X-Stagepool-Signature: sha256=<hex>); 2xx is delivered, 3xx and 4xx
other than 408/429 are permanent, and so is a target the policy refuses (stagepool_shared.net). Imports
smtplib, urllib3 and the domain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import threading
import time
from datetime import datetime
from email.charset import QP, Charset
from email.header import Header
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import make_msgid
from typing import Any, Callable

import certifi
import urllib3

from stagepool_shared.net import Target, TargetPolicy, TargetRefused

from ..domain.model import DeliveryId, InboxEntry, Message
from ..errors import DeliveryError
from ..ports import AbstractChannel, AbstractStore, AbstractStoredChannel, InboxWrite

SIGNATURE_HEADER = "X-Stagepool-Signature"
DELIVERY_HEADER = "X-Stagepool-Delivery"

_UTF8 = Charset("utf-8")
_UTF8.header_encoding = _UTF8.body_encoding = QP  # 7-bit clean, and readable in the raw message
_WIRE = compat32.clone(linesep="\r\n")


def build_mail(sender: str, address: str, delivery: DeliveryId, message: Message) -> bytes:
    """The e-mail of a delivery as sent over SMTP: text/plain in UTF-8, quoted-printable, the subject as an
    RFC 2047 encoded word when it is not ASCII, CRLF line ends.

    Built with compat32's MIMEText: the default policy's EmailMessage parses every header when it is set
    and again when the message is flattened, ≈ 2 ms per message, which was the largest part of a sender's
    CPU in the release bench (docs/notifier.md). Addresses are ASCII (checked by is_valid_email).
    """
    mail = MIMEText(message.body, "plain", _UTF8)
    mail["From"], mail["To"] = sender, address
    mail["Subject"] = message.subject if message.subject.isascii() else Header(message.subject, _UTF8)
    mail["Message-ID"] = make_msgid(idstring=delivery.suffix.replace(":", "."), domain="stagepool.local")
    mail[DELIVERY_HEADER] = delivery.suffix
    mail["Content-Language"] = message.lang
    return mail.as_bytes(policy=_WIRE)


def sign(secret: bytes, body: bytes) -> str:
    """The webhook signature of a body: `sha256=` + hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


class SmtpChannel(AbstractChannel):
    """Sends e-mail through one SMTP server, reusing a session per thread."""

    name = "email"

    def __init__(self, host: str, port: int, sender: str, timeout_s: float = 10.0,
                 username: str = "", password: str = "", starttls: bool = False, idle_check_s: float = 30.0):
        self.host, self.port, self.sender, self.timeout_s = host, port, sender, timeout_s
        self.username, self.password, self.starttls = username, password, starttls
        self.idle_check_s = idle_check_s
        self._local = threading.local()

    def _connection(self) -> smtplib.SMTP:
        conn = getattr(self._local, "conn", None)
        if conn is not None and time.monotonic() - self._local.used >= self.idle_check_s and not self._alive(conn):
            self._drop()  # the server closed the idle session: open a new one rather than fail a delivery
            conn = None
        if conn is None:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
            if self.starttls:
                conn.starttls()
            if self.username:
                conn.login(self.username, self.password)
            self._local.conn = conn
        self._local.used = time.monotonic()
        return conn

    @staticmethod
    def _alive(conn: smtplib.SMTP) -> bool:
        try:
            return conn.noop()[0] == 250
        except (smtplib.SMTPException, OSError):
            return False

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass

    def send(self, delivery: DeliveryId, address: str, message: Message, data: dict[str, Any]) -> None:
        mail = build_mail(self.sender, address, delivery, message)
        try:
            self._connection().sendmail(self.sender, [address], mail)
        except smtplib.SMTPRecipientsRefused as err:
            raise DeliveryError("rejected_address", permanent=True) from err
        except smtplib.SMTPResponseException as err:
            self._drop()
            raise DeliveryError(f"smtp {err.smtp_code}", permanent=err.smtp_code >= 500) from err
        except (smtplib.SMTPException, OSError) as err:
            self._drop()
            raise DeliveryError(f"smtp unavailable: {err.__class__.__name__}") from err

    def close(self) -> None:
        self._drop()


def _moment(value: object) -> str:
    """JSON for the moments in a webhook's data (visible_from): ISO 8601 with the offset."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class WebhookChannel(AbstractChannel):
    """POSTs the structured message as JSON to a school system, signed with the shared secret.

    Every send checks the URL again with the target policy (stagepool_shared.net: https only, no loopback,
    private, link-local, ... addresses outside the dev stack) and connects to an address that check
    accepted, sending the URL's host as Host header and TLS server name: a DNS answer that changed since the
    school was registered, or changes between the check and the connection, cannot redirect the POST
    (issue 19.8). A refused target is a permanent failure; redirects are not followed.
    """

    name = "webhook"
    MAX_POOLS = 256

    def __init__(self, secret: bytes, timeout_s: float = 5.0, policy: TargetPolicy | None = None):
        self.secret = secret
        self.timeout = urllib3.Timeout(connect=timeout_s, read=timeout_s)
        self.policy = policy or TargetPolicy()
        self._pools: dict[tuple[str, str, int, str], urllib3.HTTPConnectionPool] = {}
        self._lock = threading.Lock()

    def send(self, delivery: DeliveryId, address: str, message: Message, data: dict[str, Any]) -> None:
        body = json.dumps({"delivery": delivery.suffix, "subject": message.subject, "text": message.body,
                           "lang": message.lang, **data}, ensure_ascii=False, sort_keys=True, default=_moment).encode()
        try:
            target = self.policy.check(address)
        except TargetRefused as err:
            raise DeliveryError(f"webhook target refused: {err.reason}", permanent=err.permanent) from err
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(self.secret, body),
                   DELIVERY_HEADER: delivery.suffix, "Host": target.host_header}
        status = self._post(target, body, headers)
        if 200 <= status < 300:
            return
        if 300 <= status < 400:
            raise DeliveryError(f"webhook answered {status} (redirects are not followed)", permanent=True)
        raise DeliveryError(f"webhook answered {status}", permanent=400 <= status < 500 and status not in (408, 429))

    def _post(self, target: Target, body: bytes, headers: dict[str, str]) -> int:
        """POST to the first checked address that accepts a connection; the HTTP status."""
        failure: Exception | None = None
        for ip in target.addresses:
            try:
                response = self._pool(target, ip).urlopen("POST", target.path, body=body, headers=headers,
                                                          retries=False, redirect=False)
                return response.status
            except urllib3.exceptions.NewConnectionError as err:
                failure = err  # try the next checked address
            except urllib3.exceptions.HTTPError as err:
                raise DeliveryError(f"webhook unreachable: {err.__class__.__name__}") from err
        raise DeliveryError(f"webhook unreachable: {failure.__class__.__name__}") from failure

    def _pool(self, target: Target, ip: str) -> urllib3.HTTPConnectionPool:
        """A connection pool to the checked address ip, named by the URL's host for Host and TLS."""
        key = (target.scheme, ip, target.port, target.host)
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                if len(self._pools) >= self.MAX_POOLS:
                    self._close_pools()
                pool = self._pools[key] = self._new_pool(target, ip)
            return pool

    def _new_pool(self, target: Target, ip: str) -> urllib3.HTTPConnectionPool:
        if target.scheme == "https":
            return urllib3.HTTPSConnectionPool(ip, target.port, timeout=self.timeout, maxsize=4,
                                               server_hostname=target.host, assert_hostname=target.host,
                                               cert_reqs="CERT_REQUIRED", ca_certs=certifi.where())
        return urllib3.HTTPConnectionPool(ip, target.port, timeout=self.timeout, maxsize=4)

    def _close_pools(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()

    def close(self) -> None:
        with self._lock:
            self._close_pools()


class InboxChannel(AbstractStoredChannel):
    """Puts the message in the recipient's in-app inbox (idempotent: one entry per delivery). The dispatcher
    writes the entry with the delivery's mark; `send` writes it on its own."""

    name = "inbox"

    def __init__(self, store: AbstractStore, clock: Callable[[], datetime]):
        self.store = store
        self.clock = clock

    def entry(self, delivery: DeliveryId, address: str, message: Message, data: dict[str, Any]) -> InboxWrite:
        """The entry without the message's text: it is written again, with names, when read (issue 19.4)."""
        entry = InboxEntry(delivery=delivery.suffix, round_id=delivery.round_id, message_kind=data["message_kind"],
                           subject="", body="", visible_from=data["visible_from"], created_at=self.clock())
        return data["recipient_kind"], address, entry

    def send(self, delivery: DeliveryId, address: str, message: Message, data: dict[str, Any]) -> None:
        self.store.put_inbox(*self.entry(delivery, address, message, data))
