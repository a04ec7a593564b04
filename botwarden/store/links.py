"""The resolver's cache in the store: one row per canonical link, shared by every worker."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from botwarden.links import Resolution
from botwarden.store.models import LinkChainRow

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
        session.merge(
            LinkChainRow(url=url, chain=list(resolution.chain), resolved_at=now, error=resolution.error)
        )


def cached_chain(session: Session, url: str) -> tuple[str, ...] | None:
    row = session.get(LinkChainRow, url)
    return tuple(row.chain) if row is not None and row.chain else None
