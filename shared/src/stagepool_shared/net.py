"""Outbound targets a user may configure (a school's webhook): which URLs and addresses we connect to.

A coordinator sets a school's webhook URL; without a check, the notifier would POST to whatever it names:
a loopback port, a host on the internal network or the cloud metadata service (169.254.169.254), which is
server-side request forgery (issue 19.8). `TargetPolicy.check(url)` resolves the host and refuses the URL
unless every address it resolves to is public, and unless the scheme is https. The dev stack
(STAGEPOOL_ENV=dev: `allow_local`) also allows plain http, loopback and private (RFC 1918, ULA) addresses,
where the demo and the tests run their receivers; link-local (the metadata address), unspecified,
multicast and reserved addresses are refused everywhere.

The check returns the addresses it accepted: a caller connects to one of THOSE (not to the name again), so
a DNS answer that changes between the check and the connection (DNS rebinding) cannot switch the target.
The resolver is a port (`Resolver`): tests inject a fake; production uses `system_resolver`.

Imports the standard library and stagepool_shared.errors only.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Callable, Sequence
from urllib.parse import urlsplit

from .errors import StagepoolError

#: host, port -> the IP addresses the host resolves to (as text); raises OSError when it does not resolve.
Resolver = Callable[[str, int], Sequence[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: RFC 1918 and the IPv6 unique local addresses (ULA): a private network, allowed only in the dev stack.
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                                           "fc00::/7"))
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})
#: The address classes the dev stack allows (its receivers listen on 127.0.0.1 or a compose network).
LOCAL_CLASSES = frozenset({"loopback", "private"})


class TargetRefused(StagepoolError):
    """The URL may not be connected to. `reason` is short English text without the URL (safe to log and
    to put in an event); `permanent` is False only when the host did not resolve (DNS may come back)."""

    def __init__(self, reason: str, *, permanent: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class Target:
    """A checked URL: connect to one of `addresses` and send `host_header` as Host (and as the TLS name)."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for host (IPv4 and IPv6), in its order, without repeats."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (IPv4-mapped, 6to4, Teredo), which is where it leads."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
    return None


def address_class(ip: IPAddress) -> str:
    """The class of an address: "public", or the first of unspecified, loopback, link-local (metadata),
    multicast, private, reserved, non-public that it belongs to."""
    inner = _embedded_ipv4(ip)
    if inner is not None:
        return address_class(inner)
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip in METADATA_ADDRESSES:
        return "link-local (cloud metadata)"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if any(ip in net for net in PRIVATE_NETWORKS):
        return "private"
    if ip.is_reserved:
        return "reserved"
    return "public" if ip.is_global else "non-public"


def _parse_ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])  # an IPv6 zone id (fe80::1%eth0) names no other host
    except ValueError:
        return None


@dataclass(frozen=True)
class TargetPolicy:
    """Which webhook URLs are allowed; `allow_local` in the dev stack only (see the module docstring)."""

    allow_local: bool = False
    resolve: Resolver = field(default=system_resolver, compare=False)

    def check(self, url: str) -> Target:
        """The checked target of url, or TargetRefused naming the first problem."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme != "https" and not (scheme == "http" and self.allow_local):
            raise TargetRefused("only https URLs are allowed")
        if parts.username is not None or parts.password is not None:
            raise TargetRefused("credentials in the URL are not allowed")
        try:
            host, port = parts.hostname, parts.port or (443 if scheme == "https" else 80)
        except ValueError as err:
            raise TargetRefused("the port is not valid") from err
        if not host:
            raise TargetRefused("the URL names no host")
        addresses = self._addresses(host, port)
        for address in addresses:
            self.check_address(address)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return Target(scheme, host, port, path, tuple(addresses))

    def check_address(self, address: str) -> None:
        """Refuse one resolved address unless it is public (or loopback/private in the dev stack)."""
        ip = _parse_ip(address)
        if ip is None:
            raise TargetRefused("the host resolved to something that is not an address")
        kind = address_class(ip)
        if kind != "public" and not (self.allow_local and kind in LOCAL_CLASSES):
            raise TargetRefused(f"{kind} addresses are not allowed")

    def _addresses(self, host: str, port: int) -> list[str]:
        literal = _parse_ip(host)
        if literal is not None:
            return [str(literal)]
        try:
            addresses = [str(a) for a in self.resolve(host, port)]
        except (OSError, UnicodeError) as err:
            raise TargetRefused("the host does not resolve", permanent=False) from err
        if not addresses:
            raise TargetRefused("the host does not resolve", permanent=False)
        return addresses
