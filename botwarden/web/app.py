"""Building the FastAPI application from a loaded configuration and a migrated store."""

from __future__ import annotations

import functools
from collections.abc import Callable

from fastapi import FastAPI

from botwarden import __version__
from botwarden.config import Config
from botwarden.networks import Network
from botwarden.store import Sessions
from botwarden.web import errors
from botwarden.web.access import AccessLog
from botwarden.web.api import router
from botwarden.web.auth import TokenCache
from botwarden.web.checks import Checker
from botwarden.web.metrics import Metrics


def create_app(config: Config, sessions: Sessions, *, dashboard: bool = True) -> FastAPI:
    app = FastAPI(
        title="botwarden",
        version=__version__,
        description="Check automated actions against the automation rules before acting, and watch and "
        'steer the accounts that act. Every error answer is `{"error": {status, code, message}}`.',
    )
    app.state.config = config
    app.state.sessions = sessions
    app.state.checker = Checker(config, sessions)
    app.state.networks = _networks(config, sessions)
    app.state.metrics = Metrics()
    app.state.token_cache = TokenCache()
    errors.install(app)
    app.state.metrics.install(app)
    app.add_middleware(AccessLog)
    app.include_router(router)
    if dashboard:
        from botwarden.web.dashboard import install as install_dashboard

        install_dashboard(app)
    return app


def use_config(app: FastAPI, config: Config) -> None:
    """Serve from ``config`` from now on (the dashboard changed the file, or another process did): the
    store's feeds and routes follow it, and checks are paced by its routes."""
    from botwarden.checking import FleetChecks
    from botwarden.store.sync import sync_config

    with app.state.sessions.begin() as session:
        sync_config(session, config)
    app.state.config = config
    app.state.checker.config = config
    app.state.checker.checks = FleetChecks(config, refresh_every=1.0)
    app.state.networks = _networks(config, app.state.sessions)


def _networks(config: Config, sessions: Sessions) -> Callable[[], dict[str, Network]]:
    """The network adapters, built on first use (only the setup check needs them)."""

    @functools.cache
    def build() -> dict[str, Network]:
        from botwarden.networks.build import build_networks

        return build_networks(config, sessions)

    return build
