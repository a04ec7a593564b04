"""The audit trail."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from botwarden.store.models import EventRow

log = logging.getLogger("botwarden")


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
    level = logging.WARNING if kind in ("account_stopped", "feed_error", "publish_failed") else logging.INFO
    log.log(level, "%s: %s", kind, message)
