"""Bring the store's accounts, feeds and routes in line with the configuration file."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from botwarden.config import Config
from botwarden.store.events import record
from botwarden.store.models import AccountRow, FeedRow, RouteRow
from botwarden.store.queue import cancel_route


def sync_config(session: Session, config: Config, now: datetime | None = None) -> None:
    """Create what is new, update what changed; never delete (history stays with its account). A route
    gone from the configuration has its waiting entries cancelled, so they hold no account's place."""
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
    _cancel_removed_routes(session, config, now or datetime.now(UTC))


def _cancel_removed_routes(session: Session, config: Config, now: datetime) -> None:
    for route_id, account_id in session.execute(select(RouteRow.id, RouteRow.account_id)).all():
        if route_id in config.routes:
            continue
        note = f"cancelled: route {route_id} is no longer in {config.source}"
        cancelled = cancel_route(session, route_id, note, now)
        if cancelled:
            record(
                session,
                now,
                "route_removed",
                f"{route_id}: no longer in {config.source}; {cancelled} waiting entr"
                f"{'y' if cancelled == 1 else 'ies'} cancelled",
                account=account_id,
                cancelled=cancelled,
            )
