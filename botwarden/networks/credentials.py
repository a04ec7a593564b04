"""What an adapter needs from wherever an account's tokens are kept (the store, or a test's dict)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from botwarden.errors import ConfigError


class Credentials(Protocol):
    def get(self, account: str) -> dict[str, str]: ...

    def update(self, account: str, values: Mapping[str, str]) -> None: ...


class MemoryCredentials:
    """Credentials held in memory (tests, and one-off library use)."""

    def __init__(self, values: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self._values = {account: dict(fields) for account, fields in (values or {}).items()}

    def get(self, account: str) -> dict[str, str]:
        return dict(self._values.get(account, {}))

    def update(self, account: str, values: Mapping[str, str]) -> None:
        merged = {**self._values.get(account, {}), **values}
        self._values[account] = {k: v for k, v in merged.items() if v}


def require(
    values: Mapping[str, str], account: str, network: str, *options: tuple[str, ...]
) -> tuple[str, ...]:
    """The first complete set of fields among ``options``, or a ConfigError that says how to log in."""
    for fields in options:
        if all(values.get(f) for f in fields):
            return fields
    wanted = " or ".join("+".join(fields) for fields in options)
    raise ConfigError(
        f"account '{account}' has no {network} credentials ({wanted}); "
        f"run `botwarden accounts login {account}`"
    )
