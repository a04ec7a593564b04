"""`botwarden preview`: what a first run would post, worked out by the worker's own code, posting nothing.

Each route's feed is fetched and read, and its newest items go through what ``run`` does: the route's
filters, the first-run choice (``first_run``: the newest, all or none of the backlog), the post composed
for the account's network and measured as it counts (a thread where the route makes one), the images
fetched once per item and the alt text each gets, the Bluesky card, and the verdict of the checking seam
on every post with its rule codes. What would be posted enters an in-memory history in the order ``run``
would post it, so the checks see it as they would. Nothing is written: no store is opened.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from botwarden.checking import FleetChecks
from botwarden.compose import ItemFields
from botwarden.config import Config, RouteConfig
from botwarden.errors import FeedError
from botwarden.feeds import Feed, Item, fetch_feed, parse
from botwarden.links.judge import LinkJudge
from botwarden.media import Image, MediaFetchLimits, prepare_images
from botwarden.netguard import tls_context
from botwarden.rules import MemoryHistory, PastPost, Verdict
from botwarden.run.ingest import first_run_items, oldest_first, why_not_posted
from botwarden.run.plan import FeedOrigin, PostPlan, actions, combined, plan_post
from botwarden.similarity import text_hash


@dataclass(frozen=True, slots=True)
class PreviewPost:
    """One item as a route would treat it: why it would not be queued, or its plan and verdict."""

    title: str
    skipped: str = ""
    plan: PostPlan | None = None
    verdict: Verdict | None = None


def preview_routes(
    config: Config, *, limit: int = 3, at: datetime | None = None
) -> Iterator[tuple[str, list[PreviewPost], str]]:
    """Per route: its newest ``limit`` items as a first run would treat them, in the order it would post
    them (oldest first), or why the feed failed."""
    at = at or datetime.now(UTC)
    feeds = asyncio.run(_fetch_all(config))
    checks = FleetChecks(config, links=LinkJudge.from_settings(config.settings))
    history = MemoryHistory()
    images: dict[tuple[str, str], list[Image]] = {}
    for route in config.routes.values():
        feed = feeds[route.feed]
        if isinstance(feed, FeedError):
            yield route.id, [], str(feed)
            continue
        shown = feed.items[:limit]
        needed = [item for item in shown if (route.feed, item.id) not in images]
        for item, found in zip(needed, asyncio.run(_images(config, route.feed, needed)), strict=True):
            images[(route.feed, item.id)] = found
        yield route.id, _route(config, route, feed, shown, images, checks, history, at), ""


def _route(
    config: Config,
    route: RouteConfig,
    feed: Feed,
    shown: list[Item],
    images: dict[tuple[str, str], list[Image]],
    checks: FleetChecks,
    history: MemoryHistory,
    at: datetime,
) -> list[PreviewPost]:
    eligible = [item for item in oldest_first(feed.items) if why_not_posted(config, route, item, at) is None]
    queued = {item.id for item in first_run_items(config.first_run(route), eligible)}
    account = config.accounts[route.account]
    info = checks.facts.accounts[route.account]  # as configured, sensitive_media included
    verdicts: dict[str, PreviewPost] = {}
    for item in [item for item in oldest_first(feed.items) if item.id in queued and item in shown]:
        plan = plan_post(
            _fields(item, feed.title),
            images[(route.feed, item.id)],
            route,
            account,
            trending=checks.facts.trending(account.network, at),
            tracking=config.tracking_parameters,
        )
        origin = FeedOrigin(route, bool(config.feeds[route.feed].republish_declared_by))
        checked = [
            checks.check(action, info, history, route=route.id)
            for action in actions(
                plan, action_id=item.id, account=account.id, at=at, limit=account.char_limit, origin=origin
            )
        ]
        verdict = combined(item.id, checked)
        if verdict.decision.value == "allow":  # it would be posted: later checks see it, as in a run
            for part in plan.parts:
                link = (part.link,) if part.link else ()
                history.add(
                    PastPost(f"preview-{len(history)}", account.id, at, part.text, text_hash(part.text), link)
                )
        verdicts[item.id] = PreviewPost(item.title, plan=plan, verdict=verdict)
    return [  # in the order a run posts them: oldest first
        verdicts.get(item.id) or PreviewPost(item.title, _why_not(route, item, config, at))
        for item in oldest_first(shown)
    ]


def _why_not(route: RouteConfig, item: Item, config: Config, at: datetime) -> str:
    found = why_not_posted(config, route, item, at)
    if found is not None:
        kind, why = found
        return f"{'filtered' if kind == 'filter' else 'too old'}: {why}"
    return f"not queued: a first run queues {config.first_run(route)} of the backlog (first_run)"


def _fields(item: Item, feed_title: str) -> ItemFields:
    when = item.published or item.updated
    return ItemFields(
        title=item.title,
        link=item.link,
        summary=item.summary,
        categories=tuple(item.categories),
        feed_title=feed_title,
        author=item.author,
        published=when.isoformat() if when else "",
    )


async def _images(config: Config, feed_id: str, items: list[Item]) -> list[list[Image]]:
    """Each item's images, fetched as the worker fetches them (once, for every route of the feed)."""
    wanted, page_image = config.media_wanted(feed_id)
    if not wanted or not items:
        return [[] for _ in items]
    limits = MediaFetchLimits.from_settings(config.settings)
    async with httpx.AsyncClient(follow_redirects=False, verify=tls_context()) as client:
        return list(
            await asyncio.gather(
                *(
                    prepare_images(
                        client,
                        item.media,
                        item.link,
                        count=config.media_count(feed_id),
                        page_image=page_image,
                        policy=config.address_policy(),
                        limits=limits,
                        fit_to=config.media_limits(feed_id),
                    )
                    for item in items
                )
            )
        )


async def _fetch_all(config: Config) -> dict[str, Feed | FeedError]:
    policy, limits = config.address_policy(), config.fetch_limits()
    async with httpx.AsyncClient(follow_redirects=False, verify=tls_context()) as client:

        async def one(url: str) -> Feed | FeedError:
            try:
                result = await fetch_feed(client, url, policy=policy, limits=limits)
                return parse(result.body or b"", result.url)
            except FeedError as exc:
                return exc

        ids = list(config.feeds)
        results = await asyncio.gather(*(one(config.feeds[i].url) for i in ids))
        return dict(zip(ids, results, strict=True))
