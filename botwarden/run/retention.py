"""Content retention: ids of people's posts and messages leave the consent ledger once the network says
they are gone (X's Developer Policy: stored content follows deletions within 24 hours). What each line
meant stays; a redaction line records what was removed, when and why."""

from __future__ import annotations

from datetime import datetime

from botwarden.networks.base import ContentRef, Retention
from botwarden.store import Sessions
from botwarden.store.consent import ConsentStore, retained_lines
from botwarden.store.events import record

WHY = (
    "the {what} this line recorded is gone from {network} (deleted, withheld or no longer visible); its id "
    "was removed, what it meant stands (X Developer Policy: stored content follows deletions within 24 hours)"
)


def redact_deleted(
    sessions: Sessions, network: Retention, network_name: str, account_id: str, now: datetime
) -> int:
    """Ask the network which of the account's recorded posts and messages are gone and redact their
    lines; how many lines were redacted. Raises NetworkUnavailable when the network cannot tell."""
    with sessions() as session:
        lines = retained_lines(session, [account_id])
    if not lines:
        return 0
    refs = {line.interaction: ContentRef(line.interaction, _kind(line.via)) for line in lines}
    gone = network.deleted(account_id, list(refs.values()))
    redacted = [line for line in lines if line.interaction in gone]
    if not redacted:
        return 0
    with sessions.begin() as session:
        ledger = ConsentStore(session, recorded_by="botwarden watch (content retention)", now=now)
        for line in redacted:
            what = "direct message" if line.via == "dm" else line.via
            ledger.redact(line, now, WHY.format(what=what, network=network_name))
        record(
            session,
            now,
            "redacted",
            f"{account_id}: {len(redacted)} consent line(s) no longer hold the id of a post or message "
            f"deleted on {network_name}",
            account=account_id,
            lines=[line.id for line in redacted],
        )
    return len(redacted)


def _kind(via: str) -> str:
    return "message" if via == "dm" else "post"
