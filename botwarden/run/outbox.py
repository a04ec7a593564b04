"""What a pass sends out besides the network calls themselves: the posts built for a queue entry (its
post, or what is left of its thread, with the images and card its plan attaches), the pass's report, and
the alerts, which go out only once what they tell is committed."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

from botwarden.compose import ItemFields
from botwarden.config import Config
from botwarden.networks import Post
from botwarden.run.alerts import Alerter
from botwarden.run.plan import PostPlan, part_key, plan_post, post_of
from botwarden.store import QueueEntry, Transaction, feeds, threads
from botwarden.store import media as stored_media
from botwarden.store.feeds import StoredItem


@dataclass(slots=True)
class PublishReport:
    posted: int = 0
    delayed: int = 0
    held: int = 0
    denied: int = 0
    failed: int = 0
    reconciled: int = 0
    stopped_accounts: list[str] = field(default_factory=list)

    def add(self, other: PublishReport) -> None:
        """Count another round of the same pass in."""
        for each in fields(self):
            if each.name == "stopped_accounts":
                self.stopped_accounts += [a for a in other.stopped_accounts if a not in self.stopped_accounts]
            else:
                setattr(self, each.name, getattr(self, each.name) + getattr(other, each.name))


@dataclass(frozen=True, slots=True)
class Outgoing:
    """What is left to send of an entry, in order: its post (position None), or the parts of its thread
    not yet on the network. A part answers ``previous`` (the last part sent) under ``root`` (the first)."""

    posts: tuple[tuple[int | None, Post], ...]
    previous: str | None = None
    root: str | None = None


def planned(session: Transaction, entry: QueueEntry, config: Config) -> PostPlan:
    """The entry's plan as the check made it: its item, the images fetched for it, its route."""
    route = config.routes[entry.route_id]
    account = config.accounts[entry.account_id]
    item = feeds.item(session, entry.item_id)
    fields = item_fields(item, feeds.feed_title(session, item.feed_id))
    return plan_post(
        fields,
        stored_media.images(session, entry.item_id),
        route,
        account,
        tracking=config.tracking_parameters,
    )


def outgoing(session: Transaction, entry: QueueEntry, config: Config) -> Outgoing:
    """The posts left to send for the entry, as its network adapter sends them."""
    route = config.routes[entry.route_id]
    visibility = route.post.visibility or config.settings["mastodon_visibility"]
    plan = planned(session, entry, config)
    parts = threads.parts(session, entry.id)
    if not parts:
        post = post_of(
            plan, 0, text=entry.text, key=entry.idempotency_key, route=route, visibility=visibility
        )
        return Outgoing(((None, post),))
    sent = [part for part in parts if part.sent]
    posts = tuple(
        (
            part.position,
            post_of(
                plan,
                part.position,
                text=part.text,
                key=part_key(entry.idempotency_key, part.position),
                route=route,
                visibility=visibility,
            ),
        )
        for part in parts
        if not part.sent
    )
    previous = sent[-1].remote_id if sent else None
    root = parts[0].remote_id if parts[0].sent else None
    return Outgoing(posts, previous or None, root or None)


def post_for(session: Transaction, entry: QueueEntry, config: Config) -> Post:
    """The next post the entry sends (its only one, or its thread's next part)."""
    return outgoing(session, entry, config).posts[0][1]


def item_fields(item: StoredItem, feed_title: str) -> ItemFields:
    return ItemFields(
        title=item.title,
        link=item.link,
        summary=item.summary,
        categories=item.categories,
        author=item.author,
        feed_title=feed_title,
        published=item.published.isoformat() if item.published else "",
    )


class Alerts:
    """Alerts about accounts, held until the change they tell of is committed, then sent (never while
    the database is held)."""

    def __init__(self, alerter: Alerter) -> None:
        self.alerter = alerter
        self._pending: list[tuple[str, str, str, datetime, str]] = []

    def add(self, kind: str, account: str, message: str, at: datetime, status: str) -> None:
        self._pending.append((kind, account, message, at, status))

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        for kind, account, message, at, status in pending:
            self.alerter.send(kind, account, message, at, status=status)
