"""Following a link's redirects hop by hop, through the SSRF guard, to learn where it really lands.

Each hop is asked with HEAD (cheap: no body); a server that refuses HEAD is asked with GET, and only the
status line and headers are read. At most ``max_hops`` redirects are followed, within one deadline for the
whole chain (a server trickling its headers a byte a second cannot stretch it). Nothing here raises: the
chain gathered so far comes back with the error. A network problem (no such host, a refused connection,
the deadline) leaves a chain the rules still judge, by the hops learnt; a hop that is no valid URL at all,
or an error of the resolver itself, leaves where the link leads ``unknown``, and a check holds its post.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from botwarden import __version__
from botwarden.errors import FeedError
from botwarden.netguard import AddressPolicy, pinned_request, shown, split_url, tls_context
from botwarden.typed_settings import Settings

log = logging.getLogger("botwarden.links")

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Answers to HEAD that mean "ask me with GET instead".
HEAD_REFUSED = frozenset({400, 403, 404, 405, 501})
USER_AGENT = f"botwarden/{__version__} (link checker; follows redirects before posting)"


@dataclass(frozen=True, slots=True)
class Resolution:
    """The redirect chain (first = the URL asked about, last = where it lands) and why it stopped early.
    ``unknown``: where the link leads could not be learnt at all (a hop no browser could follow, or a
    fault of the resolver): not judged by the hops so far, but held."""

    chain: tuple[str, ...]
    error: str = ""
    unknown: bool = False


@dataclass(frozen=True, slots=True)
class ResolveLimits:
    max_hops: int = 5
    timeout: float = 10.0  # connect, and each read
    concurrency: int = 8
    deadline: float = 30.0  # the whole chain

    @classmethod
    def from_settings(cls, settings: Settings) -> ResolveLimits:
        return cls(
            settings["link_max_hops"],
            settings["fetch_timeout_seconds"],
            settings["fetch_concurrency"],
            settings["link_deadline_seconds"],
        )


async def resolve_chain(
    client: httpx.AsyncClient, url: str, *, policy: AddressPolicy, limits: ResolveLimits = ResolveLimits()
) -> Resolution:
    chain = [url]
    try:
        async with asyncio.timeout(limits.deadline):
            return await _follow(client, chain, policy, limits)
    except TimeoutError:
        return Resolution(
            tuple(chain),
            f"{shown(chain[-1])}: no answer within the {limits.deadline:g}-second deadline "
            "(setting link_deadline_seconds)",
        )


async def _follow(
    client: httpx.AsyncClient, chain: list[str], policy: AddressPolicy, limits: ResolveLimits
) -> Resolution:
    """Follow ``chain[-1]``'s redirects, appending each hop to ``chain`` as it is learnt."""
    url = chain[0]
    for _hop in range(limits.max_hops + 1):
        invalid = _invalid(chain[-1])
        if invalid:
            return Resolution(tuple(chain), invalid, unknown=True)
        try:
            location = await _next_hop(client, chain[-1], policy, limits.timeout)
        except FeedError as exc:  # the guard's refusals, names that do not resolve
            return Resolution(tuple(chain), str(exc))
        except httpx.HTTPError as exc:
            return Resolution(tuple(chain), f"{shown(chain[-1])}: {type(exc).__name__}: {exc}".rstrip(": "))
        if location is None:
            return Resolution(tuple(chain))
        if len(chain) > limits.max_hops:
            break
        chain.append(location)
    return Resolution(tuple(chain), f"{shown(url)}: more than {limits.max_hops} redirects")


def _invalid(url: str) -> str:
    """Why ``url`` is no URL a browser could follow (an invalid host name, a character no URL holds),
    or '' when it is one."""
    try:
        split_url(url)
        httpx.URL(url)
    except FeedError as exc:
        return str(exc)
    except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
        return f"{shown(url)}: not a valid URL ({exc})"
    return ""


async def resolve_safely(
    client: httpx.AsyncClient,
    url: str,
    *,
    policy: AddressPolicy,
    limits: ResolveLimits = ResolveLimits(),
    gate: asyncio.Semaphore | None = None,
) -> Resolution:
    """:func:`resolve_chain`, with any error of the resolver itself turned into an ``unknown`` answer
    for this link alone: one link's fault never costs the others theirs."""
    try:
        if gate is None:
            return await resolve_chain(client, url, policy=policy, limits=limits)
        async with gate:
            return await resolve_chain(client, url, policy=policy, limits=limits)
    except Exception as exc:
        log.warning("following %s failed: %s: %s", shown(url), type(exc).__name__, exc)
        return Resolution((url,), f"{shown(url)}: {type(exc).__name__}: {exc}".rstrip(": "), unknown=True)


async def resolve_many(
    urls: Iterable[str],
    *,
    policy: AddressPolicy,
    limits: ResolveLimits = ResolveLimits(),
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Resolution]:
    """Resolve several links at once (at most ``limits.concurrency`` in flight), each on its own."""
    wanted = list(dict.fromkeys(urls))
    gate = asyncio.Semaphore(limits.concurrency)
    async with httpx.AsyncClient(transport=transport, follow_redirects=False, verify=tls_context()) as client:
        results = await asyncio.gather(
            *(resolve_safely(client, url, policy=policy, limits=limits, gate=gate) for url in wanted)
        )
    return dict(zip(wanted, results, strict=True))


async def _next_hop(client: httpx.AsyncClient, url: str, policy: AddressPolicy, timeout: float) -> str | None:
    """Where ``url`` redirects to, or None when it answers with anything but a redirect."""
    target = await policy.check(url)
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    status, location = await _ask(client, pinned_request(client, "HEAD", target, headers, timeout))
    if status in HEAD_REFUSED:
        status, location = await _ask(client, pinned_request(client, "GET", target, headers, timeout))
    if status in REDIRECT_STATUSES and location:
        return urljoin(url, location)
    return None


async def _ask(client: httpx.AsyncClient, request: httpx.Request) -> tuple[int, str]:
    response = await client.send(request, stream=True)
    try:
        return response.status_code, response.headers.get("location", "")
    finally:
        await response.aclose()  # the body is never read
