"""The resolver's cache in the store: one row per canonical link, shared by every worker.

A link whose destination could not be learnt at all (``Resolution.unknown``) is kept with no chain and
the error: a check holds its post, naming the error, until a later resolution learns the chain."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from botwarden.links import Resolution
from botwarden.store.db import one_of
from botwarden.store.models import ItemRow, LinkChainRow, QueueRow
from botwarden.store.queue import DUE_STATES


@dataclass(frozen=True, slots=True)
class CachedLink:
    """What the resolver learnt of a link: its chain (empty when where it leads is unknown) and the error
    that stopped it early, if one did."""

    chain: tuple[str, ...]
    error: str


#: A link that could not be followed is asked about again sooner than one that could.
ERROR_TTL = timedelta(hours=1)


def stale_links(session: Session, urls: Iterable[str], now: datetime, ttl: timedelta) -> list[str]:
    """Those of ``urls`` with no cached chain, or one older than ``ttl`` (an hour for failed ones)."""
    wanted = list(dict.fromkeys(urls))
    cached = {
        row.url: row for row in session.scalars(select(LinkChainRow).where(LinkChainRow.url.in_(wanted)))
    }
    return [
        url
        for url in wanted
        if url not in cached or cached[url].resolved_at < now - (ERROR_TTL if cached[url].error else ttl)
    ]


def save_chains(session: Session, results: Mapping[str, Resolution], now: datetime) -> None:
    for url, resolution in results.items():
        chain = [] if resolution.unknown else list(resolution.chain)
        session.merge(LinkChainRow(url=url, chain=chain, resolved_at=now, error=resolution.error))


def cached_link(session: Session, url: str) -> CachedLink | None:
    """What is known of ``url`` (a canonical link), or None when it was never resolved."""
    row = session.get(LinkChainRow, url)
    return None if row is None else CachedLink(tuple(row.chain or ()), row.error or "")


def cached_chain(session: Session, url: str) -> tuple[str, ...] | None:
    """The chain of ``url``, or None when none was learnt."""
    known = cached_link(session, url)
    return known.chain if known is not None and known.chain else None


def links_due(session: Session, now: datetime, routes: Collection[str]) -> list[str]:
    """The links of the items waiting in the queue now, as written in their feeds: the ones a check is
    about to need (a pass that died before it resolved them leaves them to the next)."""
    rows = session.scalars(
        select(ItemRow.link)
        .join(QueueRow, QueueRow.item_id == ItemRow.id)
        .where(
            QueueRow.state.in_(DUE_STATES),
            QueueRow.not_before <= now,
            one_of(session, QueueRow.route_id, routes),
        )
        .distinct()
    )
    return [link for link in rows if link]
