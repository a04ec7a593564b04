"""Fetch the feeds that are due, store their items and queue new ones for each route.

One failing feed never stops the others: its error is recorded on the feed, it backs off (doubling up to
``feed_backoff_max_minutes``), and the pass carries on. A new route seeds itself from the feed's backlog
without posting it (``first_run``), so a first run or a restart never floods an account.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from botwarden.compose.filters import passes
from botwarden.compose.links import canonical_link
from botwarden.config import Config, RouteConfig
from botwarden.errors import FeedError
from botwarden.feeds import FetchResult, fetch_feed, parse
from botwarden.feeds.model import Item
from botwarden.links import ResolveLimits, resolve_many
from botwarden.netguard import tls_context
from botwarden.store.db import one_of
from botwarden.store.events import record
from botwarden.store.links import save_chains, stale_links
from botwarden.store.models import FeedRow, ItemRow, QueueRow, RouteRow
from botwarden.store.queue import State


@dataclass(slots=True)
class IngestReport:
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    new_items: int = 0
    queued: int = 0
    links_resolved: int = 0
    errors: dict[str, str] = field(default_factory=dict)


class Ingestor:
    def __init__(
        self,
        config: Config,
        sessions: sessionmaker[Session],
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config
        self.sessions = sessions
        self.policy = config.address_policy()
        self.limits = config.fetch_limits()
        self.transport = transport
        self._queued_links: list[str] = []

    def due_feeds(self, now: datetime) -> list[FeedRow]:
        """Claim the feeds due now: each is pushed a claim's length into the future, so another worker
        sharing the store does not fetch it too; if this one dies, the claim lapses and it is fetched."""
        claim = timedelta(seconds=2 * self.config.settings["fetch_timeout_seconds"] + 60)
        with self.sessions.begin() as session:
            rows = list(
                session.scalars(
                    select(FeedRow)
                    .where(
                        one_of(session, FeedRow.id, self.config.feeds),
                        or_(FeedRow.next_fetch_at.is_(None), FeedRow.next_fetch_at <= now),
                    )
                    .order_by(FeedRow.id)
                    .with_for_update(skip_locked=True)
                )
            )
            for row in rows:
                row.next_fetch_at = now + claim
            return rows

    def run(self, now: datetime) -> IngestReport:
        report = IngestReport()
        feeds = self.due_feeds(now)
        if not feeds:
            return report
        results = asyncio.run(self._fetch_all(feeds))
        self._queued_links = []
        for feed, result in zip(feeds, results, strict=True):
            with self.sessions.begin() as session:
                if isinstance(result, FeedError):
                    self._failed(session, feed.id, result, now, report)
                else:
                    self._fetched(session, feed.id, result, now, report)
        if self.config.settings["resolve_links"] and self._queued_links:
            report.links_resolved = self._resolve_links(self._queued_links, now)
        return report

    def _resolve_links(self, links: list[str], now: datetime) -> int:
        """Follow the redirects of the links just queued (unless resolved lately) before any is checked."""
        ttl = timedelta(hours=self.config.settings["link_cache_hours"])
        with self.sessions() as session:
            stale = stale_links(session, links, now, ttl)
        if not stale:
            return 0
        limits = ResolveLimits.from_settings(self.config.settings)
        found = asyncio.run(resolve_many(stale, policy=self.policy, limits=limits, transport=self.transport))
        with self.sessions.begin() as session:
            save_chains(session, found, now)
        return len(found)

    async def _fetch_all(self, feeds: list[FeedRow]) -> list[FetchResult | FeedError]:
        limit = asyncio.Semaphore(self.config.settings["fetch_concurrency"])
        async with httpx.AsyncClient(
            transport=self.transport, follow_redirects=False, verify=tls_context()
        ) as client:

            async def one(feed: FeedRow) -> FetchResult | FeedError:
                async with limit:
                    try:
                        return await fetch_feed(
                            client,
                            feed.url,
                            policy=self.policy,
                            etag=feed.etag,
                            last_modified=feed.last_modified,
                            limits=self.limits,
                        )
                    except FeedError as exc:
                        return exc

            return await asyncio.gather(*(one(feed) for feed in feeds))

    def _failed(
        self, session: Session, feed_id: str, error: FeedError, now: datetime, report: IngestReport
    ) -> None:
        row = session.get_one(FeedRow, feed_id)
        row.error_streak += 1
        interval = self.config.feed_interval(self.config.feeds[feed_id])
        cap = timedelta(minutes=self.config.settings["feed_backoff_max_minutes"])
        wait = min(interval * (2 ** min(row.error_streak, 16)), max(cap, interval))
        row.next_fetch_at, row.last_fetched_at = now + wait, now
        row.last_status, row.last_error = "error", str(error)
        report.failed += 1
        report.errors[feed_id] = str(error)
        record(
            session,
            now,
            "feed_error",
            f"{feed_id}: {error}; next try at {row.next_fetch_at:%H:%M}",
            feed=feed_id,
            streak=row.error_streak,
        )

    def _fetched(
        self, session: Session, feed_id: str, result: FetchResult, now: datetime, report: IngestReport
    ) -> None:
        row = session.get_one(FeedRow, feed_id)
        row.next_fetch_at = now + self.config.feed_interval(self.config.feeds[feed_id])
        row.last_fetched_at, row.error_streak, row.last_error = now, 0, ""
        row.etag = result.etag or row.etag
        row.last_modified = result.last_modified or row.last_modified
        if result.not_modified or result.body is None:
            row.last_status = "not modified"
            report.not_modified += 1
            self._seed_routes(session, feed_id, [], now, report)
            return
        try:
            parsed = parse(result.body, result.url)
        except FeedError as exc:
            self._failed(session, feed_id, exc, now, report)
            return
        row.title, row.last_status = parsed.title, "ok"
        report.fetched += 1
        new_rows = self._store_items(session, feed_id, parsed.items, now)
        report.new_items += len(new_rows)
        self._seed_routes(session, feed_id, new_rows, now, report)

    def _store_items(self, session: Session, feed_id: str, items: list[Item], now: datetime) -> list[ItemRow]:
        """Insert unseen items (oldest first); note edits of known ones. Returns the new rows."""
        known = {
            r.identity: r
            for r in session.scalars(
                select(ItemRow).where(ItemRow.feed_id == feed_id, ItemRow.identity.in_([i.id for i in items]))
            )
        }
        fresh: list[ItemRow] = []
        seen_now: set[str] = set()
        for item in _oldest_first(items):
            if item.id in seen_now:
                continue
            seen_now.add(item.id)
            existing = known.get(item.id)
            if existing is not None:
                if existing.content_hash != item.content_hash:
                    existing.content_hash, existing.edited_at = item.content_hash, now
                    record(
                        session,
                        now,
                        "item_edited",
                        f"{feed_id}: '{item.title[:60]}' was edited; "
                        "the earlier version stays posted, the edit is not posted again",
                        feed=feed_id,
                    )
                continue
            row = ItemRow(
                feed_id=feed_id,
                identity=item.id,
                content_hash=item.content_hash,
                title=item.title,
                link=item.link,
                summary=item.summary,
                author=item.author,
                categories=list(item.categories),
                published=item.published or item.updated,
                first_seen_at=now,
            )
            session.add(row)
            fresh.append(row)
        session.flush()
        return fresh

    def _seed_routes(
        self, session: Session, feed_id: str, new_rows: list[ItemRow], now: datetime, report: IngestReport
    ) -> None:
        for route_row in session.scalars(select(RouteRow).where(RouteRow.feed_id == feed_id)):
            route = self.config.routes.get(route_row.id)
            if route is None:
                continue
            if route_row.seeded_at is None:
                candidates = self._backlog(session, feed_id, route)
                route_row.seeded_at = now
                record(
                    session,
                    now,
                    "route_seeded",
                    f"{route.id}: first run, {self.config.first_run(route)}"
                    f" of the backlog queued ({len(candidates)} item(s))",
                    feed=feed_id,
                    account=route.account,
                )
            else:
                candidates = new_rows
            for item_row in candidates:
                report.queued += self._enqueue(session, route, item_row, now)

    def _backlog(self, session: Session, feed_id: str, route: RouteConfig) -> list[ItemRow]:
        mode = self.config.first_run(route)
        if mode == "none":
            return []
        rows = list(session.scalars(select(ItemRow).where(ItemRow.feed_id == feed_id)))
        rows.sort(key=lambda r: (r.published or r.first_seen_at, r.id))
        eligible = [r for r in rows if _filter(route, r)[0]]
        return eligible[-1:] if mode == "newest" else eligible

    def _enqueue(self, session: Session, route: RouteConfig, item: ItemRow, now: datetime) -> int:
        ok, why = _filter(route, item)
        if not ok:
            record(
                session,
                now,
                "filtered",
                f"{route.id}: '{item.title[:60]}' skipped: {why}",
                account=route.account,
            )
            return 0
        key = hashlib.sha256(f"{route.id}\x1f{item.feed_id}\x1f{item.identity}".encode()).hexdigest()[:40]
        if session.scalar(select(QueueRow.id).where(QueueRow.idempotency_key == key)) is not None:
            return 0
        session.add(
            QueueRow(
                route_id=route.id,
                item_id=item.id,
                account_id=route.account,
                state=State.PENDING.value,
                not_before=now,
                created_at=now,
                updated_at=now,
                idempotency_key=key,
                attempts=0,
                was_delayed=0,
                last_error="",
            )
        )
        self._queued_links.append(canonical_link(item.link))
        return 1


def _filter(route: RouteConfig, item: ItemRow) -> tuple[bool, str]:
    fields = {
        "title": item.title,
        "summary": item.summary,
        "link": item.link,
        "categories": list(item.categories or []),
        "author": item.author,
    }
    return passes(fields, route.filters.include, route.filters.exclude)


def _oldest_first(items: list[Item]) -> list[Item]:
    """Feeds list newest first; undated items keep their feed position relative to each other."""

    def key(pair: tuple[int, Item]) -> tuple[float, int]:
        index, item = pair
        when = item.published or item.updated
        return (when.timestamp() if when else float("inf"), -index)

    return [item for _index, item in sorted(enumerate(items), key=key)]
