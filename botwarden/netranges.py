"""Which IP addresses are public: the blocks botwarden never connects to on an operator's behalf.

The blocks come from IANA's IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and later), the
multicast ranges, and the deprecated IPv6 site-local range (RFC 3879). Where the registry marks a small
block globally reachable inside a wider block that is not (the anycast addresses inside 192.0.0.0/24 and
2001::/23), the wider block wins: no feed or link lives there.

IPv6 forms that carry an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible ``::a.b.c.d``,
NAT64 ``64:ff9b::a.b.c.d`` and 6to4 ``2002:AABB:CCDD::``) are judged by the IPv4 address they carry:
``64:ff9b::7f00:1`` reaches 127.0.0.1 through a NAT64 gateway just as surely as ``127.0.0.1`` does.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_V4_BLOCKS = (
    ("0.0.0.0/8", '"this network"'),
    ("10.0.0.0/8", "private-use"),
    ("100.64.0.0/10", "shared address space (carrier-grade NAT)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local (cloud metadata services live there)"),
    ("172.16.0.0/12", "private-use"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation (TEST-NET-1)"),
    ("192.88.99.0/24", "deprecated 6to4 relay anycast"),
    ("192.168.0.0/16", "private-use"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation (TEST-NET-2)"),
    ("203.0.113.0/24", "documentation (TEST-NET-3)"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
)
_V6_BLOCKS = (
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("64:ff9b:1::/48", "local-use IPv4/IPv6 translation"),
    ("100::/64", "discard-only"),
    ("100:0:0:1::/64", "dummy IPv6 prefix"),
    ("2001::/23", "IETF protocol assignments (Teredo, benchmarking, ORCHID, anycast)"),
    ("2001:db8::/32", "documentation"),
    ("3fff::/20", "documentation"),
    ("5f00::/16", "segment routing (SRv6) identifiers"),
    ("fc00::/7", "unique-local (private-use)"),
    ("fe80::/10", "link-local (cloud metadata services live there)"),
    ("fec0::/10", "deprecated site-local"),
    ("ff00::/8", "multicast"),
)
REFUSED: tuple[tuple[IPNetwork, str], ...] = tuple(
    (ipaddress.ip_network(block), name) for block, name in (*_V4_BLOCKS, *_V6_BLOCKS)
)

_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")


@dataclass(frozen=True, slots=True)
class Verdict:
    """Why an address is not public (``reason`` empty when it is), and the IPv4 address it carries."""

    reason: str = ""
    carried: ipaddress.IPv4Address | None = None

    @property
    def public(self) -> bool:
        return not self.reason


def carried_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, NAT64 or 6to4 form), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    bits = int(address)
    if address in _MAPPED or address in _NAT64:
        return ipaddress.IPv4Address(bits & 0xFFFFFFFF)
    if address in _COMPATIBLE and bits > 1:  # :: and ::1 are themselves, not IPv4 forms
        return ipaddress.IPv4Address(bits)
    if address in _SIX_TO_FOUR:
        return ipaddress.IPv4Address((bits >> 80) & 0xFFFFFFFF)
    return None


def judge(address: IPAddress) -> Verdict:
    """Whether ``address`` is public; a form carrying an IPv4 address is judged by that address."""
    address = _unscoped(address)
    carried = carried_ipv4(address)
    if carried is not None:
        return Verdict(_block_reason(carried), carried)
    return Verdict(_block_reason(address))


def _block_reason(address: IPAddress) -> str:
    matches = [(network, name) for network, name in REFUSED if within(address, network)]
    if matches:
        network, name = max(matches, key=lambda match: match[0].prefixlen)
        return f"{name} ({network})"
    if not address.is_global:  # anything Python's own tables know of that the registry list misses
        return "not a public address"
    return ""


def within(address: IPAddress | None, network: IPNetwork) -> bool:
    """``address in network``, false across IP versions (``ipaddress`` compares the bits regardless)."""
    return address is not None and address.version == network.version and address in network


def _unscoped(address: IPAddress) -> IPAddress:
    """``fe80::1%eth0`` is judged as ``fe80::1``."""
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        return ipaddress.IPv6Address(int(address))
    return address
