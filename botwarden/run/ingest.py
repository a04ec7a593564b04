"""Fetch the feeds that are due, store their items and queue new ones for each route.

Feeds are fetched concurrently on an event loop of their own (``background.py``), and each is stored as
soon as it is in: the pass calls back between feeds (the run loop publishes then), so one slow or dead
feed delays no other feed's posts. Each fetch has a deadline (``fetch_deadline_seconds``). The links just
queued, and those of waiting entries a pass that died never resolved, are followed the same way before
their posts are checked; the publisher waits for a link's chain, never checks without it.

One failing feed never stops the others: its error is recorded on the feed, it backs off (doubling up to
``feed_backoff_max_minutes``), and the pass carries on, whatever the error. A new route seeds itself from
the feed's backlog without posting it (``first_run``), so a first run or a restart never floods an account.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

import httpx

from botwarden.compose.links import canonical_link
from botwarden.compose.plain import without_controls
from botwarden.config import Config, RouteConfig
from botwarden.errors import FeedError
from botwarden.feeds import FetchResult, fetch_feed, parse
from botwarden.feeds.model import Item
from botwarden.links import Resolution, ResolveLimits
from botwarden.links.resolve import resolve_safely
from botwarden.media import Image, MediaFetchLimits, prepare_images
from botwarden.netguard import tls_context
from botwarden.run.background import Background
from botwarden.store import Sessions, Transaction, feeds, queue, skipped
from botwarden.store import media as stored_media
from botwarden.store.db import database_failure
from botwarden.store.events import record
from botwarden.store.feeds import DueFeed, StoredItem
from botwarden.store.links import links_due, save_chains, stale_links
from botwarden.store.media import PendingMedia

T = TypeVar("T")

log = logging.getLogger("botwarden.ingest")

#: While feeds are still coming in, the pass calls back (publishes what is due) at least this often.
TICK_SECONDS = 1.0


def chain_key(link: str, tracking: frozenset[str] = frozenset()) -> str:
    """The key a link's redirect chain is kept under: the link as the composer writes it into a post
    (``tracking``: the operator's own tracking parameters, left out as the composer leaves them out)."""
    return canonical_link(without_controls(link), tracking)


@dataclass(slots=True)
class IngestReport:
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    new_items: int = 0
    queued: int = 0
    links_resolved: int = 0
    media_fetched: int = 0  # items whose images were fetched (or found missing) this pass
    errors: dict[str, str] = field(default_factory=dict)

    def add(self, other: IngestReport) -> None:
        for each in fields(self):
            if each.name == "errors":
                self.errors.update(other.errors)
            else:
                setattr(self, each.name, getattr(self, each.name) + getattr(other, each.name))


class Ingestor:
    def __init__(
        self,
        config: Config,
        sessions: Sessions,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config
        self.sessions = sessions
        self.policy = config.address_policy()
        self.limits = config.fetch_limits()
        self.transport = transport
        self._queued_links: list[str] = []
        self.without_login: frozenset[str] = frozenset()  # their routes wait (see Runtime.check_logins)

    def due_feeds(self, now: datetime) -> list[DueFeed]:
        """Claim the feeds due now, for as long as fetching them all may take: each fetch ends by its
        deadline (``fetch_deadline_seconds``) and ``fetch_concurrency`` run at once, so the last one is
        done within one deadline per round of them; a minute more to store it. Another worker sharing
        the store does not fetch them meanwhile; if this one dies, the claim lapses."""
        deadline = self.limits.deadline
        at_once = max(self.config.settings["fetch_concurrency"], 1)

        def claim(count: int) -> timedelta:
            rounds = -(-count // at_once)
            return timedelta(seconds=rounds * deadline + 60)

        with self.sessions.begin() as session:
            return feeds.claim_due(session, now, self._wanted_feeds(), claim)

    def _wanted_feeds(self) -> list[str]:
        """The feeds to fetch: not those whose every route waits for its account's login."""
        waiting = {r.feed for r in self.config.routes.values() if r.account in self.without_login}
        waiting -= {r.feed for r in self.config.routes.values() if r.account not in self.without_login}
        return [feed for feed in self.config.feeds if feed not in waiting]

    def run(self, now: datetime, between: Callable[[], None] | None = None) -> IngestReport:
        """Fetch the due feeds and store them.

        Given ``between``, each feed is stored as soon as it is in, and ``between`` is called once
        fetching has begun, after each feed or batch of links is stored, and every ``TICK_SECONDS``
        meanwhile (the run loop publishes then). Without it (a simulated day, a test), the pass waits for
        every feed and stores them in order, so that the same day always queues the same way."""
        report = IngestReport()
        due = self.due_feeds(now)
        waiting = self._links_waiting(now)
        if not due and not waiting:
            return report
        with Background() as loop:
            client = httpx.AsyncClient(transport=self.transport, follow_redirects=False, verify=tls_context())
            work = _Work(self, loop, client, now, report)
            try:
                if between is None:
                    work.in_order(due, waiting)
                else:
                    work.as_they_come(due, waiting, between)
            finally:
                loop.cancel_all()
                loop.run(client.aclose())
        report.media_fetched = self.prepare_media(now)
        return report

    async def _fetch(
        self, client: httpx.AsyncClient, gate: asyncio.Semaphore, feed: DueFeed
    ) -> FetchResult | FeedError:
        """One feed's fetch; whatever goes wrong is the feed's error, never the pass's."""
        async with gate:
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
            except Exception as exc:
                log.warning("fetching %s failed: %s: %s", feed.id, type(exc).__name__, exc)
                return FeedError(f"{feed.url}: the fetch failed ({type(exc).__name__}: {exc})")

    def _take(
        self, feed: DueFeed, result: FetchResult | FeedError, now: datetime, report: IngestReport
    ) -> list[str]:
        """Store one feed's answer in a transaction of its own; the links it queued. An error storing it
        (other than the database's) is the feed's error, recorded with its backoff."""
        self._queued_links = []
        mine = IngestReport()
        try:
            with self.sessions.begin() as session:
                if isinstance(result, FeedError):
                    self._failed(session, feed.id, result, now, mine)
                else:
                    self._fetched(session, feed.id, result, now, mine)
        except Exception as exc:
            if database_failure(exc):
                raise
            log.warning("storing %s failed: %s: %s", feed.id, type(exc).__name__, exc)
            mine = IngestReport()
            error = FeedError(f"{feed.url}: the feed could not be stored ({type(exc).__name__}: {exc})")
            with self.sessions.begin() as session:
                self._failed(session, feed.id, error, now, mine)
            self._queued_links = []
        report.add(mine)
        return self._queued_links

    def prepare_media(self, now: datetime, *, batch: int = 50) -> int:
        """Fetch the images of queued items that wait for them (this pass's, or ones a worker that died
        left), once per item for every route that posts it. Returns how many items were done."""
        with self.sessions() as session:
            waiting = stored_media.pending(session, limit=batch)
        if not waiting:
            return 0
        found = asyncio.run(self._fetch_media(waiting))
        for item, images in zip(waiting, found, strict=True):
            with self.sessions.begin() as session:
                stored_media.save(session, item.item_id, images)
                for image in images:
                    if image.picture is None:
                        record(
                            session, now, "media_missing", f"{item.feed_id}: {image.error}", feed=item.feed_id
                        )
        return len(waiting)

    async def _fetch_media(self, waiting: list[PendingMedia]) -> list[list[Image]]:
        limit = asyncio.Semaphore(self.config.settings["fetch_concurrency"])
        limits = MediaFetchLimits.from_settings(self.config.settings)
        async with httpx.AsyncClient(
            transport=self.transport, follow_redirects=False, verify=tls_context()
        ) as client:

            async def one(item: PendingMedia) -> list[Image]:
                _wanted, page_image = self.config.media_wanted(item.feed_id)
                async with limit:
                    return await prepare_images(
                        client,
                        item.refs,
                        item.link,
                        count=self.config.media_count(item.feed_id),
                        page_image=page_image,
                        policy=self.policy,
                        limits=limits,
                        fit_to=self.config.media_limits(item.feed_id),
                    )

            return await asyncio.gather(*(one(item) for item in waiting))

    # -- links ----------------------------------------------------------------------------------------

    def _links_waiting(self, now: datetime) -> list[str]:
        """Links of entries due now that were never resolved (a pass died first, or resolve_links was
        off when they were queued): resolved with this pass's feeds, before their posts are checked."""
        if not self.config.settings["resolve_links"]:
            return []
        with self.sessions() as session:
            tracking = self.config.tracking_parameters
            links = [chain_key(link, tracking) for link in links_due(session, now, self.config.routes)]
        return self._stale(links, now)

    def _stale(self, links: list[str], now: datetime) -> list[str]:
        """Those of ``links`` to follow now: not resolved lately (when resolve_links is on)."""
        if not links or not self.config.settings["resolve_links"]:
            return []
        ttl = timedelta(hours=self.config.settings["link_cache_hours"])
        with self.sessions() as session:
            return stale_links(session, links, now, ttl)

    async def _resolve(
        self, client: httpx.AsyncClient, gate: asyncio.Semaphore, links: list[str]
    ) -> dict[str, Resolution]:
        limits = ResolveLimits.from_settings(self.config.settings)
        found = await asyncio.gather(
            *(resolve_safely(client, url, policy=self.policy, limits=limits, gate=gate) for url in links)
        )
        return dict(zip(links, found, strict=True))

    def _save(self, links: list[str], future: Future[dict[str, Resolution]], now: datetime) -> int:
        """Keep what was learnt of the links. Should the lookup itself have failed, each link is kept
        as unknown with the error, and its post is held rather than checked without its chain."""
        try:
            found = future.result()
        except Exception as exc:
            log.warning("following %d link(s) failed: %s: %s", len(links), type(exc).__name__, exc)
            error = f"following the link failed ({type(exc).__name__}: {exc})"
            found = {url: Resolution((url,), error, unknown=True) for url in links}
        with self.sessions.begin() as session:
            save_chains(session, found, now)
        return len(found)

    def _failed(
        self, session: Transaction, feed_id: str, error: FeedError, now: datetime, report: IngestReport
    ) -> None:
        interval = self.config.feed_interval(self.config.feeds[feed_id])
        cap = timedelta(minutes=self.config.settings["feed_backoff_max_minutes"])

        def backoff(streak: int) -> timedelta:  # doubling with each error in a row, up to the cap
            wait: timedelta = min(interval * (2 ** min(streak, 16)), max(cap, interval))
            return wait

        streak, next_fetch_at = feeds.fetch_failed(session, feed_id, str(error), now, backoff)
        report.failed += 1
        report.errors[feed_id] = str(error)
        record(
            session,
            now,
            "feed_error",
            f"{feed_id}: {error}; next try at {next_fetch_at:%H:%M}",
            feed=feed_id,
            streak=streak,
        )

    def _fetched(
        self, session: Transaction, feed_id: str, result: FetchResult, now: datetime, report: IngestReport
    ) -> None:
        next_fetch_at = now + self.config.feed_interval(self.config.feeds[feed_id])
        feeds.fetched(session, feed_id, now, next_fetch_at, result.etag, result.last_modified)
        if result.not_modified or result.body is None:
            feeds.set_status(session, feed_id, "not modified")
            report.not_modified += 1
            self._seed_routes(session, feed_id, [], now, report)
            return
        try:
            parsed = parse(result.body, result.url)
        except FeedError as exc:
            self._failed(session, feed_id, exc, now, report)
            return
        feeds.set_status(session, feed_id, "ok", title=parsed.title)
        report.fetched += 1
        new_items = self._store_items(session, feed_id, parsed.items, now, result.url)
        report.new_items += len(new_items)
        self._seed_routes(session, feed_id, new_items, now, report)

    def _store_items(
        self, session: Transaction, feed_id: str, items: list[Item], now: datetime, feed_url: str
    ) -> list[StoredItem]:
        """Store unseen items (oldest first); note edits of known ones. Returns the new items."""
        fresh, edited = feeds.store_items(
            session, feed_id, oldest_first(items), now, feed_url, media=self.config.media_wanted(feed_id)
        )
        for item in edited:
            record(
                session,
                now,
                "item_edited",
                f"{feed_id}: '{item.title[:60]}' was edited; "
                "the earlier version stays posted, the edit is not posted again",
                feed=feed_id,
            )
        return fresh

    def _seed_routes(
        self,
        session: Transaction,
        feed_id: str,
        new_items: list[StoredItem],
        now: datetime,
        report: IngestReport,
    ) -> None:
        for route_id, seeded in feeds.routes_of(session, feed_id):
            route = self.config.routes.get(route_id)
            if route is None:
                continue
            if route.account in self.without_login:
                # Its items are not kept for later, or the account's first post would be a stale backlog;
                # a route not seeded yet seeds itself once the account has a login.
                if seeded:
                    why = f"account {route.account} has no login stored (`botwarden accounts login`)"
                    for item in new_items:
                        self._skip(session, route, item, ("no_login", why), now)
                continue
            if not seeded:
                candidates = self._backlog(session, feed_id, route, now)
                feeds.mark_seeded(session, route_id, now)
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
                candidates = new_items
            for item in candidates:
                report.queued += self._enqueue(session, route, item, now)

    def _backlog(
        self, session: Transaction, feed_id: str, route: RouteConfig, now: datetime
    ) -> list[StoredItem]:
        """What a new route queues of the feed's backlog; the rest is recorded as skipped, with why."""
        mode = self.config.first_run(route)
        items = feeds.items_of(session, feed_id)
        items.sort(key=lambda r: (r.published or r.first_seen_at, r.id))
        eligible = []
        for item in items:
            why = self._why_not(route, item, now)
            if why is None:
                eligible.append(item)
            else:
                self._skip(session, route, item, why, now)
        keep = first_run_items(mode, eligible)
        reason = (
            "first run: only the newest item of the backlog is posted (first_run = newest)"
            if mode == "newest"
            else "first run: the backlog is not posted (first_run = none)"
        )
        for item in eligible[: len(eligible) - len(keep)]:
            self._skip(session, route, item, ("first_run", reason), now)
        return keep

    def _enqueue(self, session: Transaction, route: RouteConfig, item: StoredItem, now: datetime) -> int:
        why = self._why_not(route, item, now)
        if why is not None:
            self._skip(session, route, item, why, now)
            return 0
        key = hashlib.sha256(f"{route.id}\x1f{item.feed_id}\x1f{item.identity}".encode()).hexdigest()[:40]
        if not queue.enqueue(session, route.id, route.account, item.id, key, now):
            return 0
        if item.link:
            self._queued_links.append(chain_key(item.link, self.config.tracking_parameters))
        return 1

    def _why_not(self, route: RouteConfig, item: StoredItem, now: datetime) -> tuple[str, str] | None:
        return why_not_posted(self.config, route, item, now)

    def _skip(
        self, session: Transaction, route: RouteConfig, item: StoredItem, why: tuple[str, str], now: datetime
    ) -> None:
        if skipped.skip(session, route.id, route.account, item.id, why[0], why[1], now):
            log.debug("%s: '%s' skipped: %s", route.id, item.title[:60], why[1])


class _Work:
    """One pass's fetches and link lookups on the background loop, and storing what comes back."""

    def __init__(
        self,
        ingestor: Ingestor,
        loop: Background,
        client: httpx.AsyncClient,
        now: datetime,
        report: IngestReport,
    ) -> None:
        self.ingestor, self.loop, self.client, self.now, self.report = ingestor, loop, client, now, report
        at_once = ingestor.config.settings["fetch_concurrency"]
        self._feed_gate, self._link_gate = asyncio.Semaphore(at_once), asyncio.Semaphore(at_once)

    def fetch(self, feed: DueFeed) -> Future[FetchResult | FeedError]:
        return self.loop.submit(self.ingestor._fetch(self.client, self._feed_gate, feed))

    def resolve(self, links: list[str]) -> Future[dict[str, Resolution]]:
        return self.loop.submit(self.ingestor._resolve(self.client, self._link_gate, links))

    def take(self, feed: DueFeed, fetched: Future[FetchResult | FeedError]) -> list[str]:
        """Store the feed; the links it queued that are to be followed."""
        queued = self.ingestor._take(feed, fetched.result(), self.now, self.report)
        return self.ingestor._stale(queued, self.now)

    def save(self, links: list[str], found: Future[dict[str, Resolution]]) -> None:
        self.report.links_resolved += self.ingestor._save(links, found, self.now)

    def in_order(self, due: list[DueFeed], waiting: list[str]) -> None:
        fetches = [self.fetch(feed) for feed in due]
        links = list(waiting)
        for feed, fetched in zip(due, fetches, strict=True):
            links += [link for link in self.take(feed, fetched) if link not in links]
        if links:
            self.save(links, self.resolve(links))

    def as_they_come(self, due: list[DueFeed], waiting: list[str], between: Callable[[], None]) -> None:
        """Each feed stored as it comes in, each link's chain saved as it is learnt (a slow link holds
        back its own post only), ``between`` after each and every tick."""
        fetching = {self.fetch(feed): feed for feed in due}
        resolving = {self.resolve([link]): [link] for link in waiting}
        pending: set[Future[Any]] = {*fetching, *resolving}
        between()
        while pending:
            done, pending = wait(pending, timeout=TICK_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                if future in fetching:
                    for link in self.take(fetching[future], future):
                        found = self.resolve([link])
                        resolving[found] = [link]
                        pending.add(found)
                else:
                    self.save(resolving[future], future)
            between()


class Filterable(Protocol):
    """What the filters read of an item: a stored one, or one just parsed (``preview``)."""

    @property
    def title(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def link(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def categories(self) -> Sequence[str]: ...
    @property
    def published(self) -> datetime | None: ...


def why_not_posted(
    config: Config, route: RouteConfig, item: Filterable, now: datetime
) -> tuple[str, str] | None:
    """Why the route does not post the item (its kind of skip and a reason), or None: its filters, then
    its age."""
    filtered = config.filters_for(route).why_not(_fields(item))
    if filtered:
        return "filter", filtered
    oldest = config.max_item_age(route)
    if oldest is not None and item.published is not None and now - item.published > oldest:
        hours = oldest.total_seconds() / 3600
        return (
            "too_old",
            f"published {item.published:%Y-%m-%d %H:%M} UTC, more than {hours:g} hours before "
            f"{now:%Y-%m-%d %H:%M} UTC (max_age_hours)",
        )
    return None


def _fields(item: Filterable) -> dict[str, str | list[str]]:
    return {
        "title": item.title,
        "summary": item.summary,
        "link": item.link,
        "categories": list(item.categories or []),
        "author": item.author,
    }


def first_run_items(mode: str, eligible: list[T]) -> list[T]:
    """What a route's first run queues of the backlog (oldest first, filtered): the newest, all, none."""
    if mode == "none":
        return []
    return eligible[-1:] if mode == "newest" else eligible


def oldest_first(items: list[Item]) -> list[Item]:
    """Feeds list newest first; undated items keep their feed position relative to each other."""

    def key(pair: tuple[int, Item]) -> tuple[float, int]:
        index, item = pair
        when = item.published or item.updated
        return (when.timestamp() if when else float("inf"), -index)

    return [item for _index, item in sorted(enumerate(items), key=key)]
