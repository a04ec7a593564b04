"""The parts of a thread a queue entry makes of a long item.

The parts are written when the entry is checked and may be rewritten while none is sent; once the first
part is on the network they are fixed. Each part is recorded as sent (with its remote id, and in the
history as a post of the account) in its own transaction the moment the network has it, so a worker that
dies mid-thread leaves exactly the parts the network has marked, and the next one goes on from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from botwarden.rules import PastPost
from botwarden.similarity import text_hash
from botwarden.similarity.profile import profile
from botwarden.store.models import HistoryRow, ThreadPartRow
from botwarden.store.queue import first_link


@dataclass(frozen=True, slots=True)
class ThreadPart:
    position: int
    text: str
    length: int
    remote_id: str | None

    @property
    def sent(self) -> bool:
        return self.remote_id is not None


def parts(session: Session, queue_id: int) -> list[ThreadPart]:
    rows = session.scalars(
        select(ThreadPartRow).where(ThreadPartRow.queue_id == queue_id).order_by(ThreadPartRow.position)
    )
    return [ThreadPart(row.position, row.text, row.length, row.remote_id) for row in rows]


def started(session: Session, queue_id: int) -> bool:
    """Whether the network has a part of this entry's thread (then its parts are fixed)."""
    found = select(ThreadPartRow.id).where(
        ThreadPartRow.queue_id == queue_id, ThreadPartRow.remote_id.is_not(None)
    )
    return session.scalar(found.limit(1)) is not None


def set_parts(session: Session, queue_id: int, texts: Sequence[tuple[str, int]]) -> None:
    """The thread's parts as composed (text and measured length); nothing when it has started, and no
    parts at all for a single post."""
    if started(session, queue_id):
        return
    session.execute(delete(ThreadPartRow).where(ThreadPartRow.queue_id == queue_id))
    if len(texts) < 2:
        return
    for position, (text, length) in enumerate(texts):
        session.add(ThreadPartRow(queue_id=queue_id, position=position, text=text, length=length))
    session.flush()


def mark_part_sent(
    session: Session,
    queue_id: int,
    account_id: str,
    position: int,
    remote_id: str,
    now: datetime,
    cost_usd: float = 0.0,
) -> PastPost | None:
    """The network has this part: it is recorded with its id and enters the account's history (the first
    part under the entry). None when it was recorded already."""
    row = session.scalar(
        select(ThreadPartRow)
        .where(ThreadPartRow.queue_id == queue_id, ThreadPartRow.position == position)
        .with_for_update()
    )
    if row is None or row.remote_id is not None:
        return None
    row.remote_id, row.sent_at = remote_id, now
    link = first_link(row.text)
    history = HistoryRow(
        account_id=account_id,
        at=now,
        text=row.text,
        text_hash=text_hash(row.text),
        queue_id=queue_id if position == 0 else None,
        remote_id=remote_id,
        link=link,
        cost_usd=cost_usd,
        profile=profile(row.text).to_bytes(),  # as mark_sent stores it: indexed with no text work
    )
    session.add(history)
    session.flush()
    return PastPost(str(history.id), account_id, now, row.text, history.text_hash, (link,) if link else ())
