"""The webhook target policy (stagepool_shared.net, issue 19.8): only https URLs whose host resolves to
public addresses only; the dev stack also allows http, loopback and private addresses. Every address class
is checked through a fake resolver, so no test touches the network."""

from __future__ import annotations

import re

import pytest

from stagepool_shared.net import TargetPolicy, TargetRefused
from tests.fakes.net import FakeResolver

PUBLIC_V4, PUBLIC_V6 = "93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"

REFUSED_EVERYWHERE = {
    "0.0.0.0": "unspecified", "::": "unspecified",
    "169.254.169.254": "link-local (cloud metadata)", "fd00:ec2::254": "link-local (cloud metadata)",
    "169.254.10.1": "link-local", "fe80::1": "link-local", "fe80::1%eth0": "link-local",
    "224.0.0.1": "multicast", "239.1.2.3": "multicast", "ff02::1": "multicast",
    "240.0.0.1": "reserved", "100.64.0.1": "non-public", "192.0.2.10": "non-public",
    "::ffff:169.254.169.254": "link-local (cloud metadata)",
}
LOCAL = {
    "127.0.0.1": "loopback", "127.8.9.10": "loopback", "::1": "loopback", "::ffff:127.0.0.1": "loopback",
    "2002:7f00:1::": "loopback",  # 6to4 of 127.0.0.1
    "10.1.2.3": "private", "172.16.0.1": "private", "172.31.255.254": "private", "192.168.1.1": "private",
    "fd12:3456::1": "private", "fc00::1": "private",
}


def policy(*addresses: str, allow_local: bool = False) -> TargetPolicy:
    return TargetPolicy(allow_local=allow_local, resolve=FakeResolver(hooks_school_example=list(addresses)))


@pytest.mark.parametrize("address", [PUBLIC_V4, PUBLIC_V6])
def test_an_https_url_of_a_public_host_is_allowed_and_carries_the_checked_addresses(address):
    target = policy(address).check("https://hooks.school.example/stagepool?x=1")
    assert (target.scheme, target.host, target.port, target.path) == ("https", "hooks.school.example", 443,
                                                                      "/stagepool?x=1")
    assert target.addresses == (address,) and target.host_header == "hooks.school.example"


@pytest.mark.parametrize("address, kind", sorted({**REFUSED_EVERYWHERE, **LOCAL}.items()))
def test_every_non_public_address_class_is_refused_outside_the_dev_stack(address, kind):
    with pytest.raises(TargetRefused) as refused:
        policy(address).check("https://hooks.school.example/hook")
    assert refused.value.reason == f"{kind} addresses are not allowed" and refused.value.permanent


@pytest.mark.parametrize("address, kind", sorted(REFUSED_EVERYWHERE.items()))
def test_link_local_metadata_multicast_and_reserved_addresses_are_refused_in_the_dev_stack_too(address, kind):
    with pytest.raises(TargetRefused, match="^" + re.escape(kind)):
        policy(address, allow_local=True).check("http://hooks.school.example/hook")


@pytest.mark.parametrize("address", sorted(LOCAL))
def test_the_dev_stack_allows_loopback_and_private_addresses_over_plain_http(address):
    assert policy(address, allow_local=True).check("http://hooks.school.example:8080/").addresses == (address,)


def test_one_bad_address_among_good_ones_refuses_the_url():
    with pytest.raises(TargetRefused, match="loopback"):
        policy(PUBLIC_V4, "127.0.0.1").check("https://hooks.school.example/hook")


@pytest.mark.parametrize("url", ["https://127.0.0.1/hook", "https://[::1]:8443/hook", "https://[fe80::1]/",
                                 "https://169.254.169.254/latest/meta-data/"])
def test_an_address_in_the_url_itself_is_checked_without_asking_the_resolver(url):
    resolver = FakeResolver()
    with pytest.raises(TargetRefused):
        TargetPolicy(resolve=resolver).check(url)
    assert resolver.asked == []


@pytest.mark.parametrize("url, reason", [
    ("http://hooks.school.example/hook", "only https URLs are allowed"),
    ("ftp://hooks.school.example/hook", "only https URLs are allowed"),
    ("https://user:pw@hooks.school.example/hook", "credentials in the URL are not allowed"),
    ("https:///hook", "the URL names no host"),
    ("https://hooks.school.example:99999/hook", "the port is not valid"),
])
def test_urls_that_are_not_plain_https_to_a_host_are_refused(url, reason):
    with pytest.raises(TargetRefused) as refused:
        policy(PUBLIC_V4).check(url)
    assert refused.value.reason == reason


def test_the_dev_stack_still_refuses_schemes_other_than_http_and_https():
    with pytest.raises(TargetRefused, match="https"):
        policy(PUBLIC_V4, allow_local=True).check("file:///etc/passwd")


def test_a_host_that_does_not_resolve_is_refused_but_not_permanently():
    with pytest.raises(TargetRefused) as refused:
        TargetPolicy(resolve=FakeResolver()).check("https://nowhere.example/hook")
    assert refused.value.reason == "the host does not resolve" and not refused.value.permanent


def test_the_check_resolves_at_every_call_so_a_changed_answer_is_seen():
    resolver = FakeResolver(hooks_school_example=[PUBLIC_V4])
    targets = TargetPolicy(resolve=resolver)
    targets.check("https://hooks.school.example/hook")
    resolver.answer("hooks.school.example", "169.254.169.254")
    with pytest.raises(TargetRefused, match="cloud metadata"):
        targets.check("https://hooks.school.example/hook")
    assert resolver.asked == ["hooks.school.example"] * 2
