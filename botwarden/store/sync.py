"""Bring the store's accounts, feeds and routes in line with the configuration file."""

from __future__ import annotations

from sqlalchemy.orm import Session

from botwarden.config import Config
from botwarden.store.models import AccountRow, FeedRow, RouteRow


def sync_config(session: Session, config: Config) -> None:
    """Create what is new, update what changed; never delete (history stays with its account)."""
    for account in config.accounts.values():
        row = session.get(AccountRow, account.id)
        if row is None:
            session.add(
                AccountRow(
                    id=account.id,
                    network=account.network,
                    operator=account.operator,
                    status="ok",
                    status_reason="",
                )
            )
        else:
            row.network, row.operator = account.network, account.operator
    for feed in config.feeds.values():
        feed_row = session.get(FeedRow, feed.id)
        if feed_row is None:
            session.add(
                FeedRow(id=feed.id, url=feed.url, title="", error_streak=0, last_status="new", last_error="")
            )
        elif feed_row.url != feed.url:
            feed_row.url, feed_row.etag, feed_row.last_modified = feed.url, None, None
    session.flush()
    for route in config.routes.values():
        if session.get(RouteRow, route.id) is None:
            session.add(RouteRow(id=route.id, feed_id=route.feed, account_id=route.account))
    session.flush()
