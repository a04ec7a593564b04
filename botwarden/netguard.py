"""The SSRF guard: which addresses botwarden may connect to on an operator's behalf.

A feed or link URL is resolved once; every address it resolves to must be public (no block of IANA's
special-purpose registries, see :mod:`botwarden.netranges`) unless the operator allow-listed the host or a
range. The caller then connects to the address that was checked, so a second DNS answer cannot
redirect the request somewhere else. A host name is checked before it is looked up: one that is not a
valid name (an empty label, a label over 63 characters, a character no host name holds) is refused with
an :class:`~botwarden.errors.UnsafeURLError` saying so, never an encoder's ``UnicodeError``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import ssl
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

import httpx

from botwarden.errors import UnsafeURLError
from botwarden.netranges import IPAddress, IPNetwork, carried_ipv4, judge, within

#: What one label of a host name may hold once IDNA-encoded (``_`` appears in some real host names).
_LABEL = re.compile(r"[a-z0-9_-]{1,63}", re.ASCII)
#: Dots other than ``.`` that IDNA treats as label separators.
_DOTS = re.compile("[\u3002\uff0e\uff61]")


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
                self.allowed_hosts.add(_allowed_name(entry))

    def address_allowed(self, address: IPAddress) -> bool:
        carried = carried_ipv4(address)
        if any(within(address, net) or within(carried, net) for net in self.allowed_networks):
            return True
        return judge(address).public

    async def check(self, url: str) -> Target:
        """Resolve ``url``'s host and return the checked target, or raise UnsafeURLError."""
        scheme, host, port = split_url(url)
        addresses = await _resolve(host, port)
        if host in self.allowed_hosts:
            return Target(url, scheme, host, port, addresses[0])
        for address in addresses:
            if not self.address_allowed(address):
                raise UnsafeURLError(
                    f"{shown(url)}: refused, {host} resolves to {address}, which is {describe(address)}; "
                    "add the host to the 'allow_hosts' setting if you really mean to fetch from it"
                )
        return Target(url, scheme, host, port, addresses[0])


def split_url(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURLError(f"{shown(url)}: not a valid URL ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeURLError(f"{shown(url)}: only http and https URLs can be fetched, not '{scheme or '?'}'")
    if not parts.hostname:
        raise UnsafeURLError(f"{shown(url)}: the URL has no host")
    host = ascii_host(parts.hostname.rstrip("."), url)
    return scheme, host, port or (443 if scheme == "https" else 80)


def ascii_host(host: str, url: str) -> str:
    """The host as DNS asks for it (IDNA-encoded, lower case), or UnsafeURLError saying what is wrong."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    labels = [_ascii_label(label, url) for label in _DOTS.sub(".", host).lower().split(".")]
    name = ".".join(labels)
    if len(name) > 253:
        raise UnsafeURLError(f"{shown(url)}: not a valid host name (longer than 253 characters)")
    return name


def _ascii_label(label: str, url: str) -> str:
    if not label:
        raise UnsafeURLError(
            f"{shown(url)}: not a valid host name (an empty label: two dots in a row, or a leading dot)"
        )
    try:
        encoded = label.encode("idna").decode("ascii")
    except UnicodeError:
        encoded = label if len(label) > 63 else ""
    if len(encoded) > 63:
        raise UnsafeURLError(
            f"{shown(url)}: not a valid host name (the label {shown(label[:20])!r}… is over 63 characters)"
        )
    if not _LABEL.fullmatch(encoded.lower()):
        raise UnsafeURLError(
            f"{shown(url)}: not a valid host name ({shown(label)!r} holds characters a host name cannot)"
        )
    return encoded.lower()


def shown(text: str) -> str:
    """``text`` fit for a message: at most 300 characters, lone surrogates escaped (they cannot be printed
    or stored)."""
    cut = text if len(text) <= 300 else text[:300] + "…"
    return cut.encode("utf-8", "backslashreplace").decode("utf-8")


def _allowed_name(entry: str) -> str:
    try:
        return ascii_host(entry.strip().rstrip("."), entry)
    except UnsafeURLError:
        return entry.lower().rstrip(".")


def describe(address: IPAddress) -> str:
    verdict = judge(address)
    if verdict.carried is not None:
        return f"an address carrying {verdict.carried}, {verdict.reason or 'a public address'}"
    return verdict.reason or "a public address"


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
    try:
        return client.build_request(
            method,
            request_url,
            headers={**headers, "Host": _host_header(target)},
            timeout=timeout,
            extensions={"sni_hostname": target.host},
        )
    except (httpx.InvalidURL, UnicodeError) as exc:  # control characters, lone surrogates, 64 kB URLs
        raise UnsafeURLError(f"{shown(target.url)}: not a valid URL ({exc})") from None


def _host_header(target: Target) -> str:
    default = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == default else f"{host}:{target.port}"


@cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every client botwarden opens: loading the CA bundle costs tens of ms."""
    return httpx.create_ssl_context()
