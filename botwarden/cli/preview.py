"""`botwarden preview`: fetch each route's feed and compose its newest items, without touching the store."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx

from botwarden.compose import Draft, ItemFields, compose
from botwarden.config import Config
from botwarden.errors import FeedError
from botwarden.feeds import Feed, fetch_feed, parse


def preview_routes(config: Config, *, limit: int = 3) -> Iterator[tuple[str, list[tuple[str, Draft]], str]]:
    feeds = asyncio.run(_fetch_all(config))
    for route in config.routes.values():
        feed = feeds[route.feed]
        if isinstance(feed, FeedError):
            yield route.id, [], str(feed)
            continue
        account = config.accounts[route.account]
        drafts = []
        for item in feed.items[:limit]:
            fields = ItemFields(
                title=item.title,
                link=item.link,
                summary=item.summary,
                categories=tuple(item.categories),
                feed_title=feed.title,
                author=item.author,
            )
            drafts.append(
                (
                    item.title,
                    compose(
                        fields,
                        route.template_for(account.required_hashtags),
                        account.network,
                        limit=account.char_limit,
                        hashtags=route.hashtag_policy(account.required_hashtags),
                        content_warning=route.post.content_warning,
                        tracking=config.tracking_parameters,
                    ),
                )
            )
        yield route.id, drafts, ""


async def _fetch_all(config: Config) -> dict[str, Feed | FeedError]:
    policy, limits = config.address_policy(), config.fetch_limits()
    async with httpx.AsyncClient() as client:

        async def one(url: str) -> Feed | FeedError:
            try:
                result = await fetch_feed(client, url, policy=policy, limits=limits)
                return parse(result.body or b"", result.url)
            except FeedError as exc:
                return exc

        ids = list(config.feeds)
        results = await asyncio.gather(*(one(config.feeds[i].url) for i in ids))
        return dict(zip(ids, results, strict=True))
