"""The rules each account's server publishes (Mastodon), as last read by the watch or ``accounts check``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from botwarden.networks.base import ServerRule
from botwarden.store.models import ServerRulesRow


def save(session: Session, account_id: str, rules: list[ServerRule], now: datetime) -> bool:
    """Keep the rules the account's server publishes now; True when they differ from those kept."""
    plain = [{"id": r.id, "text": r.text, "hint": r.hint} for r in rules]
    row = session.get(ServerRulesRow, account_id)
    if row is None:
        session.add(ServerRulesRow(account_id=account_id, rules=plain, read_at=now))
        return True
    changed = list(row.rules or []) != plain
    row.rules, row.read_at = plain, now
    return changed


def load(session: Session) -> dict[str, list[ServerRule]]:
    """Every account's kept server rules, by account."""
    return {
        row.account_id: [
            ServerRule(str(r["id"]), str(r["text"]), str(r.get("hint") or "")) for r in row.rules
        ]
        for row in session.scalars(select(ServerRulesRow).order_by(ServerRulesRow.account_id))
    }
