"""Building the FastAPI application from a loaded configuration and a migrated store."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from botwarden import __version__
from botwarden.config import Config
from botwarden.networks import Network
from botwarden.store import Sessions, open_store
from botwarden.web import errors
from botwarden.web.access import AccessLog
from botwarden.web.api import router
from botwarden.web.auth import TokenCache
from botwarden.web.checks import Checker
from botwarden.web.load import REFUSAL_HOLD_SECONDS, BodyLimit, DatabaseSlots, TokenRate
from botwarden.web.metrics import Metrics

#: Connections a server process's pool holds beyond one per request thread: the check endpoint's
#: standing one, and two for token lookups (which take no request's slot).
SPARE_CONNECTIONS = 3


def serving_store(config: Config) -> Sessions:
    """The store as one server process uses it: a pool of one connection for each of its
    ``http_threads`` and ``SPARE_CONNECTIONS``, which never waits longer than ``db_pool_wait_seconds``."""
    settings = config.settings
    return open_store(
        settings["database_url"],
        connections=settings["http_threads"] + SPARE_CONNECTIONS,
        wait=settings["db_pool_wait_seconds"],
    )


def create_app(config: Config, sessions: Sessions, *, dashboard: bool = True) -> FastAPI:
    threads = config.settings["http_threads"]

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The threads the API's reads and writes run in: as many as the pool has connections for.
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads + SPARE_CONNECTIONS
        yield

    app = FastAPI(
        title="botwarden",
        version=__version__,
        description="Check automated actions against the automation rules before acting, and watch and "
        'steer the accounts that act. Every error answer is `{"error": {status, code, message}}`; '
        "a request over the body limit is answered 413, one over its token's rate 429, and one that "
        "finds the database busy or away 503, both with `Retry-After`.",
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.sessions = sessions
    app.state.checker = Checker(config, sessions)
    app.state.networks = _networks(config, sessions)
    app.state.metrics = Metrics()
    app.state.token_cache = TokenCache()
    app.state.database_slots = DatabaseSlots(threads, config.settings["db_pool_wait_seconds"])
    errors.install(app)
    app.state.metrics.install(app)
    app.add_middleware(AccessLog)
    app.include_router(router)
    if dashboard:
        from botwarden.web.dashboard import install as install_dashboard

        install_dashboard(app)
    # Outermost, so that a refused request costs nothing behind them (the last added runs first).
    settings = config.settings
    app.add_middleware(
        TokenRate,
        rate=settings["api_rate_per_second"],
        burst=settings["api_rate_burst"],
        at_once=settings["api_token_concurrency"],
        hold=REFUSAL_HOLD_SECONDS,
    )
    app.add_middleware(BodyLimit, limit=settings["api_max_body_bytes"])
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
