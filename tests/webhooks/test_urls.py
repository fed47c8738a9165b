"""The SSRF rule, with private targets not allowed: every range refused, IPv4 and IPv6, and a
name that resolves to loopback; the checked address is the one a send connects to."""

from __future__ import annotations

import ipaddress
import re

import pytest

from app.webhooks import urls


async def check(url: str, *, allow_private: bool = False) -> urls.Target:
    return await urls.check(url, allow_private=allow_private, resolve_seconds=2.0)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("[::1]", "loopback"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - the address refused, not one bound to
        ("[::]", "unspecified"),
        ("10.0.0.7", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.1", "private"),
        ("[fc00::1]", "private"),
        ("[fd12:3456::1]", "private"),
        ("169.254.0.1", "link-local"),
        ("[fe80::1]", "link-local"),
        ("100.64.0.1", "shared (CGNAT)"),
        ("100.127.255.254", "shared (CGNAT)"),
        ("224.0.0.1", "multicast"),
        ("[ff02::1]", "multicast"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.10", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("[fd00:ec2::254]", "cloud metadata"),
        ("[::ffff:127.0.0.1]", "loopback"),
        ("[::ffff:10.1.2.3]", "private"),
        ("[64:ff9b::a9fe:a9fe]", "cloud metadata"),
    ],
)
async def test_every_internal_range_is_refused(address: str, kind: str) -> None:
    with pytest.raises(urls.Refused, match=re.escape(kind)):
        await check(f"https://{address}/hook")


async def test_a_name_that_resolves_to_loopback_is_refused() -> None:
    with pytest.raises(urls.Refused, match=r"loopback address \((127\.0\.0\.1|::1)\)"):
        await check("https://localhost/hook")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://93.184.215.14/hook", "must use https"),
        ("ftp://93.184.215.14/hook", "must use https"),
        ("https:///hook", "no host"),
        ("https://user:pw@93.184.215.14/hook", "credentials"),
        ("https://93.184.215.14/hook#part", "fragment"),
        ("https://[::1/hook", "not valid"),
        ("https://93.184.215.14:99999/hook", "not valid"),
    ],
)
async def test_urls_that_cannot_be_webhooks(url: str, reason: str) -> None:
    with pytest.raises(urls.Refused, match=reason):
        await check(url)


async def test_a_name_that_does_not_resolve_is_unresolved_not_refused() -> None:
    with pytest.raises(urls.Unresolved):
        await check("https://no-such-host.invalid/hook")


async def test_the_setting_allows_loopback_and_http() -> None:
    target = await check("http://localhost:8123/hook?x=1", allow_private=True)
    assert target.address.is_loopback
    assert target.host_header == "localhost:8123"
    assert target.pinned_url() in {
        "http://127.0.0.1:8123/hook?x=1",
        "http://[::1]:8123/hook?x=1",
    }


async def test_a_public_address_is_pinned_with_its_host_kept() -> None:
    target = await check("https://93.184.215.14/a/b?c=d")
    assert target.address == ipaddress.ip_address("93.184.215.14")
    assert target.pinned_url() == "https://93.184.215.14:443/a/b?c=d"
    assert target.host_header == "93.184.215.14"
    ipv6 = await check("https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:8443")
    assert ipv6.pinned_url() == "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:8443/"
    assert ipv6.host_header == "[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:8443"


@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888", "93.184.215.14"])
def test_public_addresses_pass(address: str) -> None:
    assert urls.why_refused(ipaddress.ip_address(address)) is None
