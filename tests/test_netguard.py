"""The SSRF guard against IANA's special-purpose address registries, the IPv6 forms that carry an IPv4
address, and host names that are not valid names.

The two tables below are written from IANA's IPv4 and IPv6 Special-Purpose Address Registries
(https://www.iana.org/assignments/iana-ipv4-special-registry, .../iana-ipv6-special-registry), each entry
with its registry name and its "Globally Reachable" column (None where the registry says N/A). An entry
is expected to be refused unless it is globally reachable and sits inside no block that is not; the
three blocks that carry an IPv4 address are judged by the address they carry (tested separately).
"""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from botwarden.errors import UnsafeURLError
from botwarden.netguard import AddressPolicy, Target, ascii_host

IPV4_REGISTRY: list[tuple[str, str, bool | None]] = [
    ("0.0.0.0/8", '"This network"', False),
    ("0.0.0.0/32", '"This host on this network"', False),
    ("10.0.0.0/8", "Private-Use", False),
    ("100.64.0.0/10", "Shared Address Space", False),
    ("127.0.0.0/8", "Loopback", False),
    ("169.254.0.0/16", "Link Local", False),
    ("172.16.0.0/12", "Private-Use", False),
    ("192.0.0.0/24", "IETF Protocol Assignments", False),
    ("192.0.0.0/29", "IPv4 Service Continuity Prefix", False),
    ("192.0.0.8/32", "IPv4 dummy address", False),
    ("192.0.0.9/32", "Port Control Protocol Anycast", True),
    ("192.0.0.10/32", "Traversal Using Relays around NAT Anycast", True),
    ("192.0.0.170/32", "NAT64/DNS64 Discovery", False),
    ("192.0.0.171/32", "NAT64/DNS64 Discovery", False),
    ("192.0.2.0/24", "Documentation (TEST-NET-1)", False),
    ("192.31.196.0/24", "AS112-v4", True),
    ("192.52.193.0/24", "AMT", True),
    ("192.88.99.0/24", "Deprecated (6to4 Relay Anycast)", None),
    ("192.88.99.2/32", "6a44-relay anycast address", False),
    ("192.168.0.0/16", "Private-Use", False),
    ("192.175.48.0/24", "Direct Delegation AS112 Service", True),
    ("198.18.0.0/15", "Benchmarking", False),
    ("198.51.100.0/24", "Documentation (TEST-NET-2)", False),
    ("203.0.113.0/24", "Documentation (TEST-NET-3)", False),
    ("240.0.0.0/4", "Reserved", False),
    ("255.255.255.255/32", "Limited Broadcast", False),
]
IPV6_REGISTRY: list[tuple[str, str, bool | None]] = [
    ("::1/128", "Loopback Address", False),
    ("::/128", "Unspecified Address", False),
    ("::ffff:0:0/96", "IPv4-mapped Address", False),
    ("64:ff9b::/96", "IPv4-IPv6 Translat.", True),
    ("64:ff9b:1::/48", "IPv4-IPv6 Translat.", False),
    ("100::/64", "Discard-Only Address Block", False),
    ("100:0:0:1::/64", "Dummy IPv6 Prefix", False),
    ("2001::/23", "IETF Protocol Assignments", False),
    ("2001::/32", "TEREDO", None),
    ("2001:1::1/128", "Port Control Protocol Anycast", True),
    ("2001:1::2/128", "Traversal Using Relays around NAT Anycast", True),
    ("2001:1::3/128", "DNS-SD Service Registration Protocol Anycast", True),
    ("2001:2::/48", "Benchmarking", False),
    ("2001:3::/32", "AMT", True),
    ("2001:4:112::/48", "AS112-v6", True),
    ("2001:10::/28", "Deprecated (previously ORCHID)", None),
    ("2001:20::/28", "ORCHIDv2", True),
    ("2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", True),
    ("2001:db8::/32", "Documentation", False),
    ("2002::/16", "6to4", None),
    ("2620:4f:8000::/48", "Direct Delegation AS112 Service", True),
    ("3fff::/20", "Documentation", False),
    ("5f00::/16", "Segment Routing (SRv6) SIDs", False),
    ("fc00::/7", "Unique-Local", False),
    ("fe80::/10", "Link-Local Unicast", False),
]
#: Outside the special-purpose registries, refused all the same: multicast (the multicast registries) and
#: the deprecated site-local range (RFC 3879, in the IPv6 address space registry).
ALSO_REFUSED = [
    ("224.0.0.0/4", "IPv4 multicast"),
    ("ff00::/8", "IPv6 multicast"),
    ("fec0::/10", "site-local (deprecated)"),
]
#: Judged by the IPv4 address they carry.
CARRIERS = {"::ffff:0:0/96", "64:ff9b::/96", "2002::/16"}
PUBLIC_V4 = ipaddress.IPv4Address("93.184.215.14")
TALLY = {"tried": 0, "refused": 0, "allowed": 0}


def _expected_public(block: str, reachable: bool | None) -> bool:
    """Public only when IANA says globally reachable and no wider entry says not."""
    network = ipaddress.ip_network(block)
    wider = [
        r for b, _n, r in IPV4_REGISTRY + IPV6_REGISTRY
        if b != block and ipaddress.ip_network(b).version == network.version
        and network.subnet_of(ipaddress.ip_network(b))  # type: ignore[arg-type]
    ]  # fmt: skip
    return reachable is True and all(r is not False for r in wider)


def _samples(block: str) -> list[str]:
    network = ipaddress.ip_network(block)
    middle = network.network_address + network.num_addresses // 2
    return sorted({str(network.network_address), str(middle), str(network.broadcast_address)})


def _url(address: str) -> str:
    return f"http://[{address}]/feed" if ":" in address else f"http://{address}/feed"


def _refused(address: str, policy: AddressPolicy | None = None) -> bool:
    TALLY["tried"] += 1
    try:
        target = asyncio.run((policy or AddressPolicy()).check(_url(address)))
    except UnsafeURLError as exc:
        assert "refused" in str(exc) and address in str(exc)
        TALLY["refused"] += 1
        return True
    assert isinstance(target, Target)
    TALLY["allowed"] += 1
    return False


@pytest.mark.parametrize(
    ("block", "name", "reachable"), [e for e in IPV4_REGISTRY + IPV6_REGISTRY if e[0] not in CARRIERS]
)
def test_every_special_purpose_block_is_judged_as_the_registry_says(
    block: str, name: str, reachable: bool | None
) -> None:
    expected_refused = not _expected_public(block, reachable)
    for address in _samples(block):
        assert _refused(address) is expected_refused, f"{address} ({block} {name})"


@pytest.mark.parametrize(("block", "name"), ALSO_REFUSED)
def test_multicast_and_site_local_are_refused(block: str, name: str) -> None:
    for address in _samples(block):
        assert _refused(address), f"{address} ({name})"


def _carriers(v4: ipaddress.IPv4Address) -> dict[str, str]:
    n = int(v4)
    return {
        "IPv4-mapped": str(ipaddress.IPv6Address(0xFFFF << 32 | n)),
        "IPv4-compatible": str(ipaddress.IPv6Address(n)),
        "NAT64": str(ipaddress.IPv6Address(0x64FF9B << 96 | n)),
        "6to4": str(ipaddress.IPv6Address(0x2002 << 112 | n << 80 | 1)),
    }


@pytest.mark.parametrize(("block", "name", "reachable"), [e for e in IPV4_REGISTRY if e[0] != "0.0.0.0/32"])
def test_forms_carrying_an_ipv4_address_are_judged_by_it(
    block: str, name: str, reachable: bool | None
) -> None:
    expected_refused = not _expected_public(block, reachable)
    for v4 in _samples(block):
        for form, address in _carriers(ipaddress.IPv4Address(v4)).items():
            if form == "IPv4-compatible" and int(ipaddress.IPv4Address(v4)) <= 1:
                continue  # :: and ::1 are themselves
            assert _refused(address) is expected_refused, f"{form} {address} carrying {v4} ({name})"


def test_a_public_address_in_each_carrying_form_is_allowed_and_the_message_names_the_carried_one() -> None:
    for form, address in _carriers(PUBLIC_V4).items():
        assert not _refused(address), form
    with pytest.raises(UnsafeURLError, match=r"carrying 127\.0\.0\.1, loopback"):
        asyncio.run(AddressPolicy().check("http://[64:ff9b::7f00:1]/"))
    with pytest.raises(UnsafeURLError, match=r"carrying 169\.254\.169\.254, link-local"):
        asyncio.run(AddressPolicy().check("http://[2002:a9fe:a9fe::1]/"))


def test_an_allowed_range_covers_the_forms_that_carry_it() -> None:
    policy = AddressPolicy(["127.0.0.0/8"])
    for form, address in _carriers(ipaddress.IPv4Address("127.0.0.1")).items():
        assert not _refused(address, policy), form
    assert _refused("10.0.0.1", policy)


def test_the_registry_probes_add_up() -> None:
    """Run last in this file (pytest keeps file order): prints the tally for docs/reliability.md."""
    print(
        f"\nnetguard probes: {TALLY['tried']} tried, {TALLY['refused']} refused, {TALLY['allowed']} allowed"
    )
    assert TALLY["tried"] == TALLY["refused"] + TALLY["allowed"] > 300


BAD_HOSTS = [
    ("a" * 64 + ".example.org", "over 63 characters"),
    ("news." + "b" * 200 + ".example.org", "over 63 characters"),
    ("a..example.org", "empty label"),
    (".example.org", "empty label"),
    ("exa mple.org", "holds characters"),
    ("\u2488.example.org", "holds characters"),  # IDNA maps it to "1.", smuggling an empty label
    ("ex\udcffample.org", "holds characters"),
    (".".join(["abcdefghij"] * 24), "longer than 253"),
]


@pytest.mark.parametrize(("host", "reason"), BAD_HOSTS)
def test_invalid_host_names_are_an_unsafe_url_error_naming_the_problem(host: str, reason: str) -> None:
    with pytest.raises(UnsafeURLError, match=f"not a valid host name.*{reason}"):
        asyncio.run(AddressPolicy().check(f"https://{host}/feed.xml"))


def test_international_names_are_asked_for_in_their_ascii_form() -> None:
    assert ascii_host("B\u00fccher.Example", "u") == "xn--bcher-kva.example"
    assert ascii_host("example\u3002org", "u") == "example.org"
    assert ascii_host("::1", "u") == "::1"
    assert AddressPolicy(["b\u00fccher.example"]).allowed_hosts == {"xn--bcher-kva.example"}
