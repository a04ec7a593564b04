"""What a route posts of an item on one network, worked out one way for the worker and for ``preview``.

A plan holds the post's text (or the parts of a thread), measured as the network counts it; the images
it attaches, each with its alt text; and the link card (Bluesky, which builds cards itself: the item's
first image, else the page's og:image, is its thumbnail, and the post then attaches no other image). The
checks of a plan are actions for the rule engine, one per part, with the media they carry (BW802), and
their verdicts are combined into one: a thread goes out whole or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from botwarden.compose import Draft, ItemFields
from botwarden.compose.plain import plain_text
from botwarden.compose.thread import compose_thread
from botwarden.config import AccountConfig, RouteConfig
from botwarden.media import Image, MediaLimits, alt_text, chosen, fit, limits_for
from botwarden.networks import LinkCard, Media, Post
from botwarden.rules import Action, AttachedMedia, Verdict, combine

CARD_DESCRIPTION = 300  # characters of the summary a card shows


@dataclass(frozen=True, slots=True)
class Attachment:
    image: Image
    alt: str


@dataclass(frozen=True, slots=True)
class Card:
    url: str
    title: str
    description: str
    thumb: Attachment | None = None


@dataclass(frozen=True, slots=True)
class PostPlan:
    network: str
    parts: tuple[Draft, ...]
    attachments: tuple[Attachment, ...] = ()
    card: Card | None = None
    # Images the item named that could not be fetched, and why (shown by preview, kept in the events).
    missing: tuple[str, ...] = ()

    @property
    def draft(self) -> Draft:
        return self.parts[0]

    @property
    def shown_media(self) -> tuple[Attachment, ...]:
        """Every image a reader sees: the attachments, and the card's thumbnail."""
        thumb = (self.card.thumb,) if self.card is not None and self.card.thumb is not None else ()
        return self.attachments + thumb


def plan_post(
    item: ItemFields,
    images: Sequence[Image],
    route: RouteConfig,
    account: AccountConfig,
    *,
    trending: frozenset[str] = frozenset(),
    tracking: frozenset[str] = frozenset(),
) -> PostPlan:
    options = route.post
    parts = compose_thread(
        item,
        route.template_for(account.required_hashtags),
        account.network,
        max_parts=options.thread_max if options.thread else 1,
        limit=account.char_limit,
        hashtags=route.hashtag_policy(account.required_hashtags),
        trending=trending,
        content_warning=options.content_warning,
        tracking=tracking,
    )
    limits = limits_for(account.network)
    values = _alt_values(item)
    described = [
        Attachment(image, alt_text(image.alt, options.alt_text, values, limits.max_alt)) for image in images
    ]
    usable = [a for a in described if a.image.picture is not None]
    missing = tuple(f"{a.image.url}: {a.image.error}" for a in described if a.image.picture is None)
    link = parts[0].link
    if account.network == "bluesky" and options.link_card and link:
        card = Card(
            link,
            plain_text(item.title),
            plain_text(item.summary)[:CARD_DESCRIPTION],
            next(iter(usable), None),
        )
        return PostPlan(account.network, parts, (), card, missing)
    picked = {id(image) for image in chosen([a.image for a in usable], options.media, limits.max_images)}
    attachments = tuple(a for a in usable if id(a.image) in picked)
    return PostPlan(account.network, parts, attachments, None, missing)


@dataclass(frozen=True, slots=True)
class FeedOrigin:
    """Where a feed post comes from, as the rules read it: its route, whether the feed's publisher
    declared it may be republished (BW956), when its item was published (BW103: the account whose feed
    published a story first keeps it; None: unknown, counted as now)."""

    route: RouteConfig
    source_declared: bool
    published: datetime | None = None


def actions(
    plan: PostPlan,
    *,
    action_id: str,
    account: str,
    at: datetime,
    limit: int | None,
    origin: FeedOrigin,
) -> list[Action]:
    """The rule engine's actions for the plan: its post, or each part of its thread (the media and the
    link go with the first)."""
    media = tuple(AttachedMedia(a.image.sensitive, a.alt, a.image.url) for a in plan.shown_media)
    found = []
    for index, part in enumerate(plan.parts):
        first = index == 0
        found.append(
            Action(
                id=action_id if first else f"{action_id}/{index + 1}",
                kind="post",
                account=account,
                at=at,
                text=part.text,
                links=(part.link,) if part.link else (),
                network=plan.network,
                limit=limit,
                trigger="feed",
                source_declared=origin.source_declared,
                dropped_hashtags=plan.draft.dropped_hashtags,
                content_warning=origin.route.post.content_warning,
                paid_partnership=origin.route.post.paid_partnership,
                published=origin.published,
                media=media if first else (),
                thread_part=index + 1,
            )
        )
    return found


def combined(action_id: str, verdicts: Sequence[Verdict]) -> Verdict:
    """One verdict for the whole thread: every part's findings, the strongest deciding."""
    if len(verdicts) == 1:
        return verdicts[0]
    return combine(action_id, [finding for verdict in verdicts for finding in verdict.findings])


def post_of(
    plan: PostPlan,
    part: int,
    *,
    text: str,
    key: str,
    route: RouteConfig,
    visibility: str,
    reply_to: str | None = None,
    thread_root: str | None = None,
) -> Post:
    """Part ``part`` of the plan as the adapter sends it, images fitted to the network's limits (the
    first part carries them, and the card)."""
    options = route.post
    limits = limits_for(plan.network)
    media: tuple[Media, ...] = ()
    card = None
    if part == 0:
        media = tuple(_media(a, limits) for a in plan.attachments)
        if plan.card is not None:
            thumb = _media(plan.card.thumb, limits) if plan.card.thumb is not None else None
            card = LinkCard(plan.card.url, plan.card.title, plan.card.description, thumb)
    link = plan.draft.link if part == 0 else ""
    return Post(
        text=text,
        idempotency_key=key,
        language=options.language,
        visibility=visibility,
        content_warning=options.content_warning,
        reply_settings=options.reply_settings,
        paid_partnership=options.paid_partnership,
        media=media,
        card=card,
        links=(link,) if link else (),
        reply_to=reply_to,
        thread_root=thread_root,
    )


def part_key(key: str, part: int) -> str:
    """The idempotency key of a thread's part: the entry's own for the first (as for a single post)."""
    return key if part == 0 else f"{key}-{part + 1}"


def _media(attachment: Attachment, limits: MediaLimits) -> Media:
    assert attachment.image.picture is not None  # only fetched images are attached
    picture = fit(attachment.image.picture, limits)
    return Media(
        picture.data,
        picture.mime_type,
        attachment.alt,
        picture.width,
        picture.height,
        attachment.image.sensitive,
    )


def _alt_values(item: ItemFields) -> dict[str, str]:
    return {
        "title": plain_text(item.title),
        "summary": plain_text(item.summary),
        "link": item.link,
        "hashtags": "",
        "feed_title": plain_text(item.feed_title),
        "author": plain_text(item.author),
        "published": item.published,
    }
