"""Content retention: ids of people's posts and messages leave the consent ledger once the network says
they are gone (X's Developer Policy: stored content follows deletions within 24 hours), and once consent no
longer needs them (``inbound_id_days``: replies to an interaction are judged while it is recent), which
also bounds what the lookups cost. What each line meant stays; a redaction line records what was removed,
when and why."""

from __future__ import annotations

from datetime import datetime, timedelta

from botwarden.networks.base import ContentRef, Retention
from botwarden.store import Sessions
from botwarden.store.consent import ConsentStore, RetainedLine, retained_lines
from botwarden.store.events import record

NO_LONGER_NEEDED = (
    "the id of the {what} this line recorded was removed after {days} days: consent no longer needs it "
    "(what the line meant stands)"
)
WHY = (
    "the {what} this line recorded is gone from {network} (deleted, withheld or no longer visible); its id "
    "was removed, what it meant stands (X Developer Policy: stored content follows deletions within 24 hours)"
)


def redact_deleted(
    sessions: Sessions,
    network: Retention,
    network_name: str,
    account_id: str,
    now: datetime,
    keep: timedelta,
) -> int:
    """Redact the account's lines whose ids are older than ``keep``, then ask the network which of the
    other recorded posts and messages are gone and redact theirs; how many lines were redacted. Raises
    NetworkUnavailable when the network cannot tell (the old ones are redacted first all the same)."""
    with sessions() as session:
        lines = retained_lines(session, [account_id])
    old = [line for line in lines if line.at < now - keep]
    if old:
        days = keep.days
        _redact(
            sessions,
            account_id,
            now,
            [(line, NO_LONGER_NEEDED.format(what=_what(line), days=days)) for line in old],
        )
    recent = [line for line in lines if line.at >= now - keep]
    if not recent:
        return len(old)
    refs = {line.interaction: ContentRef(line.interaction, _kind(line.via)) for line in recent}
    gone = network.deleted(account_id, list(refs.values()))
    redacted = [
        (line, WHY.format(what=_what(line), network=network_name))
        for line in recent
        if line.interaction in gone
    ]
    if redacted:
        _redact(sessions, account_id, now, redacted, deleted_on=network_name)
    return len(old) + len(redacted)


def _redact(
    sessions: Sessions,
    account_id: str,
    now: datetime,
    lines: list[tuple[RetainedLine, str]],
    *,
    deleted_on: str = "",
) -> None:
    with sessions.begin() as session:
        ledger = ConsentStore(session, recorded_by="botwarden watch (content retention)", now=now)
        for line, why in lines:
            ledger.redact(line, now, why)
        reason = f"deleted on {deleted_on}" if deleted_on else "no longer needed"
        record(
            session,
            now,
            "redacted",
            f"{account_id}: {len(lines)} consent line(s) no longer hold the id of a post or message "
            f"({reason})",
            account=account_id,
            lines=[line.id for line, _ in lines],
        )


def _what(line: RetainedLine) -> str:
    return "direct message" if line.via == "dm" else line.via


def _kind(via: str) -> str:
    return "message" if via == "dm" else "post"
