"""The adapters a configuration needs, each with the store's encrypted credentials."""

from __future__ import annotations

import os
from collections.abc import Mapping

from botwarden.config import Config
from botwarden.networks.base import Network
from botwarden.networks.credentials import Credentials
from botwarden.networks.local import FaultPlan, LocalNetwork
from botwarden.networks.mastodon import MastodonNetwork
from botwarden.networks.x import XNetwork
from botwarden.store import Sessions
from botwarden.store.credentials import CredentialStore


def credential_store(
    config: Config, sessions: Sessions, env: Mapping[str, str] = os.environ
) -> CredentialStore:
    return CredentialStore.open(sessions, config.settings, env)


def build_networks(
    config: Config,
    sessions: Sessions,
    *,
    faults: FaultPlan | None = None,
    credentials: Credentials | None = None,
    env: Mapping[str, str] = os.environ,
) -> dict[str, Network]:
    networks: dict[str, Network] = {"local": LocalNetwork(sessions, faults)}
    by_network: dict[str, dict[str, str]] = {}
    for account in config.accounts.values():
        by_network.setdefault(account.network, {})[account.id] = account.server
    if set(by_network) <= {"local"}:
        return networks
    store = credentials or credential_store(config, sessions, env)
    timeout = float(config.settings["network_timeout_seconds"])
    if "x" in by_network:
        networks["x"] = XNetwork.from_settings(store, config.settings, by_network["x"])
    if "mastodon" in by_network:
        networks["mastodon"] = MastodonNetwork(store, by_network["mastodon"], timeout=timeout)
    if "bluesky" in by_network:
        # The atproto SDK takes about a second to import: only workers with Bluesky accounts pay it.
        from botwarden.networks.bluesky import DEFAULT_SERVER, BlueskyNetwork

        servers = {account: url or DEFAULT_SERVER for account, url in by_network["bluesky"].items()}
        networks["bluesky"] = BlueskyNetwork(store, servers, timeout=timeout)
    return networks
