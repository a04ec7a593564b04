"""Encryption of account tokens at rest (Fernet: AES-128-CBC with an HMAC, from ``cryptography``).

The key comes from ``BOTWARDEN_SECRET_KEY`` or from a key file. A missing key file is created once, with
permissions that only its owner can read (0600), and never overwritten; but only while nothing is sealed
yet: when the store already holds tokens sealed with a key, a missing key file is an error that says so
and how to put the key back, since a new key would open none of them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from botwarden.errors import ConfigError
from botwarden.typed_settings import Settings

KEY_ENV = "BOTWARDEN_SECRET_KEY"


def default_key_file(env: Mapping[str, str] = os.environ) -> Path:
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "botwarden" / "secret.key"


class SecretBox:
    def __init__(self, key: bytes, origin: str) -> None:
        try:
            self._fernet = Fernet(key)
        except ValueError:
            raise ConfigError(
                f"{origin}: not a valid key (32 url-safe base64-encoded bytes, as "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'` "
                "makes)"
            ) from None
        self.origin = origin

    @classmethod
    def from_settings(
        cls, settings: Settings, env: Mapping[str, str] = os.environ, *, sealed: Sequence[str] = ()
    ) -> SecretBox:
        """The box of the configured key. ``sealed`` names the accounts whose tokens are already sealed:
        when there are any, a missing key file is an error rather than a new key."""
        if env.get(KEY_ENV):
            return cls(env[KEY_ENV].encode(), f"environment variable {KEY_ENV}")
        path = Path(settings.get("secret_key_file") or default_key_file(env)).expanduser()
        key = _read(path)
        if key is None and sealed:
            raise ConfigError(_missing_key(path, sealed))
        return cls(key if key is not None else _create(path), f"key file {path}")

    def seal(self, values: Mapping[str, str]) -> str:
        return self._fernet.encrypt(json.dumps(dict(values), sort_keys=True).encode()).decode()

    def open(self, sealed: str, *, what: str) -> dict[str, str]:
        try:
            plain = self._fernet.decrypt(sealed.encode())
        except InvalidToken:
            raise ConfigError(
                f"{what}: cannot be decrypted with the {self.origin}; it was saved with another key. "
                "Use that key again, or log the account in again with `botwarden accounts login`"
            ) from None
        values = json.loads(plain)
        return {str(k): str(v) for k, v in values.items()}


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"key file {path}: cannot read it ({exc.strerror})") from None


def _create(path: Path) -> bytes:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # O_EXCL: two processes starting at once must not each write a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"key file {path}: cannot create it ({exc.strerror})") from None
    key = Fernet.generate_key()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    return key


def _missing_key(path: Path, sealed: Sequence[str]) -> str:
    shown = ", ".join(sorted(sealed)[:5]) + (", …" if len(sealed) > 5 else "")
    return (
        f"key file {path} is missing, but the store holds the tokens of {len(sealed)} account(s) "
        f"({shown}) sealed with a key; a new key would open none of them, so none was made. "
        f"Put the key back: copy your backup of the key file to {path} (chmod 600), or point the "
        f"secret_key_file setting at it, or set {KEY_ENV} to the key. Without that key the tokens cannot "
        "be read: each account must then be logged in again"
    )
