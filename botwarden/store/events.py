"""The audit trail."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from botwarden.store.models import EventRow

log = logging.getLogger("botwarden.events")
# Each event is logged once, at the level a person should hear of it (an alert's event is its log line).
LEVELS = {
    "account_stopped": logging.ERROR,
    "account_answers": logging.WARNING,
    "feed_error": logging.WARNING,
    "publish_failed": logging.WARNING,
    "inbound_failed": logging.WARNING,
}


def record(
    session: Session,
    at: datetime,
    kind: str,
    message: str,
    *,
    account: str | None = None,
    feed: str | None = None,
    queue_id: int | None = None,
    **data: Any,
) -> None:
    session.add(
        EventRow(
            at=at, kind=kind, account_id=account, feed_id=feed, queue_id=queue_id, message=message, data=data
        )
    )
    fields = {"event": kind, "account": account, "feed": feed, "queue_id": queue_id}
    log.log(
        LEVELS.get(kind, logging.INFO), "%s: %s", kind, message, extra={k: v for k, v in fields.items() if v}
    )
