"""The adapters a configuration needs, each with the store's encrypted credentials, and the spend meter
their billable calls report to."""

from __future__ import annotations

import os
from collections.abc import Mapping

from botwarden.config import Config
from botwarden.networks.base import Network
from botwarden.networks.credentials import Credentials
from botwarden.networks.local import FaultPlan, LocalNetwork
from botwarden.networks.mastodon import MastodonNetwork
from botwarden.networks.metering import Meter
from botwarden.networks.x import XNetwork
from botwarden.store import Sessions
from botwarden.store.credentials import CredentialStore
from botwarden.store.spend import record_uses

#: The X app's bearer token: the app's own calls (trends, the usage report) are made with it.
X_BEARER_ENV = "BOTWARDEN_X_BEARER_TOKEN"


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
    meter: Meter | None = None,
) -> dict[str, Network]:
    """The adapters; the billable calls of X's report to ``meter`` (written to the store by
    :func:`record_metered`)."""
    networks: dict[str, Network] = {"local": LocalNetwork(sessions, faults)}
    by_network: dict[str, dict[str, str]] = {}
    for account in config.accounts.values():
        by_network.setdefault(account.network, {})[account.id] = account.server
    if set(by_network) <= {"local"}:
        return networks
    store = credentials or credential_store(config, sessions, env)
    timeout = float(config.settings["network_timeout_seconds"])
    if "x" in by_network:
        networks["x"] = XNetwork.from_settings(
            store,
            config.settings,
            by_network["x"],
            meter=meter if meter is not None else Meter.from_settings(config.settings),
            bearer_token=env.get(X_BEARER_ENV, ""),
        )
    if "mastodon" in by_network:
        networks["mastodon"] = MastodonNetwork(
            store,
            by_network["mastodon"],
            timeout=timeout,
            observer=config.settings["mastodon_observer_server"],
        )
    if "bluesky" in by_network:
        # The atproto SDK takes about a second to import: only workers with Bluesky accounts pay it.
        from botwarden.networks.bluesky import DEFAULT_SERVER, BlueskyNetwork

        servers = {account: url or DEFAULT_SERVER for account, url in by_network["bluesky"].items()}
        networks["bluesky"] = BlueskyNetwork(
            store,
            servers,
            timeout=timeout,
            labelers=config.settings["bluesky_labelers"],
            ignored_labels=config.settings["bluesky_labels_ignored"],
            watched_posts=config.settings["bluesky_watch_posts"],
        )
    return networks


def record_metered(meter: Meter, sessions: Sessions) -> float:
    """Write what the meter holds to the store, priced; what it cost, in USD."""
    uses = meter.drain()
    if not uses:
        return 0.0
    try:
        with sessions.begin() as session:
            return record_uses(session, uses, meter.prices)
    except Exception:
        meter.extend(uses)  # kept for the next try: the database may be back by then
        raise


def meter_of(networks: Mapping[str, Network]) -> Meter | None:
    """The meter the adapters report to, if any of them bills."""
    x = networks.get("x")
    return x.meter if isinstance(x, XNetwork) else None
