"""The key that seals account tokens: created once while nothing is sealed, never silently replaced."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from botwarden.errors import ConfigError
from botwarden.secretbox import KEY_ENV
from botwarden.store import make_engine, migrate, session_factory
from botwarden.store.credentials import CredentialStore


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'bw.db'}")
    migrate(engine)
    return session_factory(engine)


def test_a_first_key_is_made_0600_when_nothing_is_sealed(tmp_path: Path, sessions) -> None:
    key = tmp_path / "keys" / "secret.key"
    store = CredentialStore.open(sessions, {"secret_key_file": str(key)}, env={})
    store.update("news", {"access_token": "t0ken"})
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert CredentialStore.open(sessions, {"secret_key_file": str(key)}, env={}).get("news") == {
        "access_token": "t0ken"
    }


def test_a_missing_key_with_sealed_tokens_is_an_error_saying_how_to_restore_it(
    tmp_path: Path, sessions
) -> None:
    key = tmp_path / "secret.key"
    settings = {"secret_key_file": str(key)}
    store = CredentialStore.open(sessions, settings, env={})
    for account in ("news", "weather"):
        store.update(account, {"access_token": f"{account}-token"})
    saved = key.read_bytes()
    key.unlink()
    with pytest.raises(ConfigError) as caught:
        CredentialStore.open(sessions, settings, env={})
    message = str(caught.value)
    assert f"key file {key} is missing" in message and "2 account(s) (news, weather)" in message
    assert "copy your backup" in message and KEY_ENV in message
    assert not key.exists()  # no new key was made behind the operator's back
    key.write_bytes(saved)  # restored as the message says: every token opens again
    assert CredentialStore.open(sessions, settings, env={}).get("weather") == {
        "access_token": "weather-token"
    }


def test_the_key_from_the_environment_needs_no_file(tmp_path: Path, sessions) -> None:
    key = tmp_path / "secret.key"
    store = CredentialStore.open(sessions, {"secret_key_file": str(key)}, env={})
    store.update("news", {"access_token": "x"})
    env = {KEY_ENV: key.read_text().strip()}
    key.unlink()
    assert CredentialStore.open(sessions, {"secret_key_file": str(key)}, env=env).get("news") == {
        "access_token": "x"
    }
