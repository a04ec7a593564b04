"""What a pass sends out besides the network calls themselves: the post built for a queue entry, the
pass's report, and the alerts, which go out only once what they tell is committed."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

from botwarden.config import Config
from botwarden.networks import LinkCard, Post
from botwarden.run.alerts import Alerter
from botwarden.store import QueueEntry, Transaction, feeds
from botwarden.store.queue import first_link


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


def post_for(session: Transaction, entry: QueueEntry, config: Config) -> Post:
    """The entry as its network adapter sends it, with the route's post options."""
    options = config.routes[entry.route_id].post
    link = first_link(entry.text)
    card = None
    if link and options.link_card:
        item = feeds.item(session, entry.item_id)
        card = LinkCard(link, item.title, item.summary[:300])
    return Post(
        text=entry.text,
        idempotency_key=entry.idempotency_key,
        language=options.language,
        visibility=options.visibility or config.settings["mastodon_visibility"],
        content_warning=options.content_warning,
        reply_settings=options.reply_settings,
        paid_partnership=options.paid_partnership,
        card=card,
        links=(link,) if link else (),
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
