"""The SSRF guard: which addresses botwarden may connect to on an operator's behalf.

A feed or link URL is resolved once; every address it resolves to must be public (not loopback,
private, link-local, multicast, reserved or unspecified) unless the operator allow-listed the host or a
range. The caller then connects to the address that was checked, so a second DNS answer cannot
redirect the request somewhere else.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

import httpx

from botwarden.errors import UnsafeURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class Target:
    """A URL that passed the guard, and the address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: IPAddress


class AddressPolicy:
    """Decides whether a URL's host may be reached. ``allow`` holds host names and CIDR ranges."""

    def __init__(self, allow: list[str] | tuple[str, ...] = ()) -> None:
        self.allowed_hosts: set[str] = set()
        self.allowed_networks: list[IPNetwork] = []
        for entry in allow:
            try:
                self.allowed_networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.allowed_hosts.add(entry.lower().rstrip("."))

    def address_allowed(self, address: IPAddress) -> bool:
        if any(address in network for network in self.allowed_networks):
            return True
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            return self.address_allowed(address.ipv4_mapped)
        return address.is_global and not address.is_multicast

    async def check(self, url: str) -> Target:
        """Resolve ``url``'s host and return the checked target, or raise UnsafeURLError."""
        scheme, host, port = split_url(url)
        addresses = await _resolve(host, port)
        if host in self.allowed_hosts:
            return Target(url, scheme, host, port, addresses[0])
        for address in addresses:
            if not self.address_allowed(address):
                raise UnsafeURLError(
                    f"{url}: refused, {host} resolves to {address}, which is {describe(address)}; "
                    "add the host to the 'allow_hosts' setting if you really mean to fetch from it"
                )
        return Target(url, scheme, host, port, addresses[0])


def split_url(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURLError(f"{url}: not a valid URL ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeURLError(f"{url}: only http and https URLs can be fetched, not '{scheme or '?'}'")
    if not parts.hostname:
        raise UnsafeURLError(f"{url}: the URL has no host")
    return scheme, parts.hostname.lower().rstrip("."), port or (443 if scheme == "https" else 80)


def describe(address: IPAddress) -> str:
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address (cloud metadata services live there)"
    if address.is_private:
        return "a private-network address"
    if address.is_multicast:
        return "a multicast address"
    return "not a public address"


async def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UnsafeURLError(f"{host}: the name does not resolve ({exc.strerror or exc})") from exc
    seen: list[IPAddress] = []
    for *_rest, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0])
        if address not in seen:
            seen.append(address)
    if not seen:
        raise UnsafeURLError(f"{host}: the name resolves to no address")
    return seen


def pinned_request(
    client: httpx.AsyncClient, method: str, target: Target, headers: dict[str, str], timeout: float
) -> httpx.Request:
    """A request to the address the guard checked; the Host header and TLS SNI keep the original name."""
    address = f"[{target.address}]" if target.address.version == 6 else str(target.address)
    request_url = urlsplit(target.url)._replace(netloc=f"{address}:{target.port}").geturl()
    return client.build_request(
        method,
        request_url,
        headers={**headers, "Host": _host_header(target)},
        timeout=timeout,
        extensions={"sni_hostname": target.host},
    )


def _host_header(target: Target) -> str:
    default = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == default else f"{host}:{target.port}"


@cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every client botwarden opens: loading the CA bundle costs tens of ms."""
    return httpx.create_ssl_context()
