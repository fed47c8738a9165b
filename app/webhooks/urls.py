"""Which URLs a webhook may post to (SSRF): checked on create and update, and before each send.

A URL must be https (http too where private targets are allowed, for tests and make run), name
a host without credentials, and that host must resolve only to public addresses: none that is
loopback, private, link-local, shared (CGNAT), multicast, unspecified, reserved or a cloud
metadata address. The send then connects to the address that was checked (Target.address),
never resolving again, so a DNS answer that changes in between cannot redirect it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

import msgspec

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
DEFAULT_PORTS = {"https": 443, "http": 80}


class Refused(Exception):
    """A URL that webhooks may not reach; the message says why, for the caller."""


class Unresolved(Exception):
    """The host has no address now: not a refusal (DNS may not be set up yet), but no send."""


class Target(msgspec.Struct, frozen=True):
    """A checked URL: where to connect (address, port) and what to name (host) there."""

    url: str
    scheme: str
    host: str
    port: int
    address: Address
    target: str  # the path and query, as sent in the request line

    def pinned_url(self) -> str:
        """The URL with the checked address for its host: what the client connects to."""
        literal = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return f"{self.scheme}://{literal}:{self.port}{self.target}"

    @property
    def host_header(self) -> str:
        default = DEFAULT_PORTS[self.scheme] == self.port
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if default else f"{host}:{self.port}"


def why_refused(address: Address) -> str | None:
    """The kind of address this is when webhooks may not reach it; None for a public one."""
    if address.version == 6:
        embedded = address.ipv4_mapped or (
            ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in NAT64 else None
        )
        if embedded is not None:
            return why_refused(embedded)
    if address in METADATA:
        return "a cloud metadata address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.version == 4 and address in CGNAT:
        return "a shared (CGNAT) address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private or not address.is_global:
        return "a private address"
    return None


def parse(url: str, *, allow_private: bool) -> tuple[SplitResult, str, int]:
    """The URL's parts, host and port; Refused when it cannot be a webhook's URL."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise Refused(f"The URL is not valid: {exc}.") from None
    allowed = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed:
        raise Refused("The URL must use https.")
    if not host:
        raise Refused("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise Refused("The URL may not carry credentials.")
    if parts.fragment:
        raise Refused("The URL may not have a fragment.")
    return parts, host, port or DEFAULT_PORTS[parts.scheme]


async def resolve(host: str, port: int, *, within_seconds: float) -> list[Address]:
    """The host's addresses (an IP literal is its own), resolved off the event loop."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(within_seconds):
            found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError, UnicodeError) as exc:
        raise Unresolved(f"{host} does not resolve") from exc
    # The scope of a link-local IPv6 answer ("fe80::1%eth0") is not part of the address.
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    if not addresses:
        raise Unresolved(f"{host} does not resolve")
    return list(dict.fromkeys(addresses))


async def check(url: str, *, allow_private: bool, resolve_seconds: float) -> Target:
    """The URL as a Target to send to; Refused when it or any of its addresses is not allowed,
    Unresolved when its host has no address now."""
    parts, host, port = parse(url, allow_private=allow_private)
    addresses = await resolve(host, port, within_seconds=resolve_seconds)
    if not allow_private:
        for address in addresses:
            reason = why_refused(address)
            if reason is not None:
                raise Refused(
                    f"The URL's host resolves to {reason} ({address}), which webhooks may "
                    "not reach."
                )
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    return Target(
        url=url, scheme=parts.scheme, host=host, port=port, address=addresses[0], target=target
    )
