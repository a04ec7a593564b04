"""Account tokens in the store, sealed by a :class:`~botwarden.secretbox.SecretBox`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from botwarden.secretbox import SecretBox
from botwarden.store.models import CredentialRow
from botwarden.typed_settings import Settings


def with_login(session: Session) -> set[str]:
    """The accounts that have credentials stored (read without opening them)."""
    return set(session.scalars(select(CredentialRow.account_id)))


class CredentialStore:
    """Reads and writes each account's credentials; refreshed tokens are written back at once."""

    def __init__(self, sessions: sessionmaker[Session], box: SecretBox) -> None:
        self._sessions = sessions
        self._box = box

    @classmethod
    def open(
        cls, sessions: sessionmaker[Session], settings: Settings, env: Mapping[str, str] = os.environ
    ) -> CredentialStore:
        """The store with the configured key; a missing key file while tokens are sealed is an error."""
        with sessions() as session:
            sealed = list(session.scalars(select(CredentialRow.account_id)))
        return cls(sessions, SecretBox.from_settings(settings, env, sealed=sealed))

    def get(self, account: str) -> dict[str, str]:
        with self._sessions() as session:
            row = session.get(CredentialRow, account)
            if row is None:
                return {}
            return self._box.open(row.sealed, what=f"the credentials of account '{account}'")

    def update(self, account: str, values: Mapping[str, str]) -> None:
        """Merge ``values`` into the account's credentials (an empty value removes that field)."""
        with self._sessions.begin() as session:
            row = session.get(CredentialRow, account, with_for_update=True)
            current = (
                self._box.open(row.sealed, what=f"the credentials of account '{account}'") if row else {}
            )
            current.update(values)
            merged = {k: v for k, v in current.items() if v}
            now = datetime.now(UTC)
            if row is None:
                session.add(CredentialRow(account_id=account, sealed=self._box.seal(merged), updated_at=now))
            else:
                row.sealed, row.updated_at = self._box.seal(merged), now

    def fields(self, account: str) -> list[str]:
        """Which credentials an account has (names only: values are never shown)."""
        return sorted(self.get(account))
