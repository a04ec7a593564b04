"""Wiring: a loaded config becomes a migrated store, an ingestor and a publisher; one pass runs both."""

from __future__ import annotations

import logging
import os
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from botwarden.config import Config
from botwarden.errors import ConfigError
from botwarden.links.judge import LinkJudge
from botwarden.networks import FaultPlan, Network
from botwarden.networks.build import X_BEARER_ENV, build_networks, credential_store, record_metered
from botwarden.networks.metering import Meter
from botwarden.run.inbound import InboundPoller
from botwarden.run.ingest import Ingestor, IngestReport
from botwarden.run.publish import Publisher, PublishReport
from botwarden.server_rules import apply, read_rules
from botwarden.store import (
    DatabaseError,
    feeds,
    make_engine,
    migrate,
    queue,
    rolled_back,
    server_rules,
    session_factory,
    unreachable,
)
from botwarden.store.credentials import with_login
from botwarden.store.db import serialize
from botwarden.store.sync import sync_config
from botwarden.trends import CombinedTrends, FileTrends, TrendsProvider, XTrends

log = logging.getLogger("botwarden.runtime")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _remote(config: Config) -> bool:
    return any(a.network != "local" for a in config.accounts.values())


def trends_provider(
    config: Config, env: Mapping[str, str] = os.environ, *, meter: Meter | None = None
) -> TrendsProvider | None:
    """The trends sources the settings name: a file, X's endpoint (its reads metered), both, or none."""
    providers: list[TrendsProvider] = []
    if config.settings["trends_file"]:
        providers.append(FileTrends(config.settings["trends_file"]))
    if config.settings["trends_x_woeid"]:
        token = env.get(X_BEARER_ENV, "")
        if not token:
            raise ConfigError(
                f"{config.source}: trends_x_woeid is set but BOTWARDEN_X_BEARER_TOKEN is not; "
                "set the X app's bearer token in the environment, or set trends_x_woeid = 0"
            )
        providers.append(
            XTrends(
                token, config.settings["trends_x_woeid"], base_url=config.settings["x_api_url"], meter=meter
            )
        )
    if not providers:
        return None
    return providers[0] if len(providers) == 1 else CombinedTrends(providers)


@dataclass(slots=True)
class PassReport:
    at: datetime
    ingest: IngestReport
    publish: PublishReport
    inbound: int = 0  # messages read into the consent ledger

    @property
    def idle(self) -> bool:
        """Nothing new came in and nothing was decided or sent (a feed answering "not modified" is idle)."""
        i, p = self.ingest, self.publish
        busy = (i.new_items, i.queued, i.failed, p.posted, p.delayed, p.held, p.denied, p.failed)
        return not any(busy) and not p.reconciled and not p.stopped_accounts and not self.inbound

    def summary(self) -> str:
        i, p = self.ingest, self.publish
        return (
            f"fetched {i.fetched} (not modified {i.not_modified}, failed {i.failed}), {i.new_items} new, "
            f"{i.queued} queued; posted {p.posted}, delayed {p.delayed}, held {p.held}, denied {p.denied}, "
            f"failed {p.failed}"
        )


class PassLog:
    """Logs a pass that did something at once, and idle passes as one summary at most every
    ``idle_minutes`` (a service that wakes every minute would otherwise write 1,440 lines a day)."""

    def __init__(self, idle_minutes: int, logger: logging.Logger | None = None) -> None:
        self.idle_every = timedelta(minutes=idle_minutes)
        self.log = logger or log
        self._idle_passes = 0
        self._idle_since: datetime | None = None

    def __call__(self, report: PassReport) -> None:
        if not report.idle:
            self.log.info("pass: %s", report.summary(), extra={"pass": _counts(report)})
            return
        if self._idle_since is None:
            self._idle_since = report.at
        self._idle_passes += 1
        if self.idle_every and report.at - self._idle_since >= self.idle_every:
            minutes = (report.at - self._idle_since).total_seconds() / 60
            self.log.info(
                "idle: %d pass(es) in the last %.0f minutes found nothing new to post",
                self._idle_passes,
                minutes,
                extra={"idle_passes": self._idle_passes},
            )
            self._idle_passes, self._idle_since = 0, report.at


def _counts(report: PassReport) -> dict[str, int]:
    i, p = report.ingest, report.publish
    return {
        "fetched": i.fetched,
        "not_modified": i.not_modified,
        "fetch_failed": i.failed,
        "new_items": i.new_items,
        "queued": i.queued,
        "posted": p.posted,
        "delayed": p.delayed,
        "held": p.held,
        "denied": p.denied,
        "failed": p.failed,
        "inbound": report.inbound,
    }


class Runtime:
    def __init__(
        self,
        config: Config,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        faults: FaultPlan | None = None,
        rng: random.Random | None = None,
        worker_id: str | None = None,
        batch: int = 200,
        env: Mapping[str, str] = os.environ,
    ) -> None:
        self.config = config
        self._database_failures = 0
        self.db = make_engine(config.settings["database_url"])
        migrate(self.db)
        self.sessions = session_factory(self.db)
        with self.sessions.begin() as session:
            serialize(session)
            sync_config(session, config)
        self.credentials = credential_store(config, self.sessions, env) if _remote(config) else None
        # Every billable call (X's posts and reads, trends) is metered, and written after each pass.
        self.meter = Meter.from_settings(config.settings)
        self.networks: dict[str, Network] = build_networks(
            config, self.sessions, faults=faults, credentials=self.credentials, env=env, meter=self.meter
        )
        self.ingestor = Ingestor(config, self.sessions, transport)
        self._rng, self._batch = rng, batch
        self._trends = trends_provider(config, env, meter=self.meter)
        self.without_login: frozenset[str] = frozenset()  # accounts with no stored login (check_logins)
        self.publisher = self._publisher(config, worker_id)
        self.inbound = InboundPoller(config, self.sessions, self.networks, self.publisher.worker_id)
        self._server_rules: dict[str, list[Any]] | None = None
        self._apply_server_rules()

    def _publisher(self, config: Config, worker_id: str | None) -> Publisher:
        publisher = Publisher(
            config,
            self.sessions,
            self.networks,
            rng=self._rng,
            worker_id=worker_id,
            batch=self._batch,
            trends=self._trends,
            links=LinkJudge.from_settings(config.settings),
        )
        publisher.without_login = self.without_login
        return publisher

    def _apply_server_rules(self) -> None:
        """Publish by the configuration with the Mastodon servers' machine-readable rules applied (only
        ever stricter), rebuilt when the rules the watch read change."""
        if not self.config.settings["apply_server_rules"]:
            return
        with self.sessions() as session:
            stored = server_rules.load(session)
        if stored == self._server_rules:
            return
        self._server_rules = dict(stored)
        effective, changes = apply(self.config, {a: read_rules(r) for a, r in stored.items()})
        if effective is not self.publisher.config:
            self.publisher = self._publisher(effective, self.publisher.worker_id)
        for change in changes:
            log.info("server rules: %s", change)

    def check_logins(self) -> frozenset[str]:
        """The accounts on a real network that have no stored login. Only their own routes wait (and say
        so once in the log); every other account goes on. Asked again each pass, so that a login stored
        with `botwarden accounts login` while the worker runs is picked up."""
        remote = {a.id for a in self.config.accounts.values() if a.network != "local"}
        if not remote:
            return frozenset()
        with self.sessions() as session:
            missing = frozenset(remote - with_login(session))
        for account in sorted(missing - self.without_login):
            log.warning(
                "%s: no login stored, so its routes wait; run `botwarden accounts login %s` "
                "(see README, Connecting real accounts)",
                account,
                account,
                extra={"account": account},
            )
        for account in sorted(self.without_login - missing):
            log.info("%s: a login is stored now; its routes run again", account, extra={"account": account})
        self.without_login = missing
        self.ingestor.without_login = self.publisher.without_login = missing
        self.inbound.without_login = missing
        return missing

    def run_pass(self, now: datetime, clock: Callable[[], datetime] | None = None) -> PassReport:
        """Fetch and publish, then read inbound messages; what the networks billed is written last.

        The accounts are watched first (labels, limits, server rules, deleted content, X's usage), so
        that what the watch finds holds for this pass's posts. With a ``clock`` (a running service),
        publishing runs in rounds while the feeds come in: each feed's posts go out as soon as it is
        stored, whatever another feed is still waiting for, and once more at the end; each round starts
        at the clock's time, and each lease runs from the moment its post is marked 'sending'. Without
        one (a simulated day, a test), the pass fetches every feed, then publishes at ``now``."""
        self.check_logins()
        publish = PublishReport()

        def publish_round() -> None:
            publish.add(self.publisher.run(clock() if clock else now, clock))

        try:
            self.publisher.recovery.watch_accounts(now)
            self._apply_server_rules()
            ingest = self.ingestor.run(now, between=publish_round if clock else None)
            publish_round()
            inbound = self.inbound.run(now)
        finally:
            record_metered(self.meter, self.sessions)
        return PassReport(now, ingest, publish, inbound)

    def next_due(self, now: datetime) -> datetime:
        """When something is next due: a feed fetch or a queue entry (at most a minute away)."""
        latest = now + timedelta(minutes=1)
        with self.sessions() as session:
            feed_at, entry_at = feeds.next_fetch_at(session), queue.next_not_before(session)
        candidates = [t for t in (feed_at, entry_at, latest) if t is not None]
        return max(now, min(candidates))

    def run_forever(
        self,
        stop: threading.Event,
        clock: Callable[[], datetime] = utcnow,
        on_pass: Callable[[PassReport], None] | None = None,
        until: Callable[[], bool] | None = None,
    ) -> None:
        """Pass after pass until ``stop`` is set, or until ``until()`` says so after a pass (the
        configuration file changed, say: the caller builds a new runtime from it)."""
        while not stop.is_set():
            report = self.run_pass_safely(clock(), clock)
            if report is None:  # the database is away: wait, then try again; nothing is lost meanwhile
                stop.wait(self.database_backoff())
                continue
            if on_pass is not None:
                on_pass(report)
            if until is not None and until():
                return
            try:
                wait = (self.next_due(clock()) - clock()).total_seconds()
            except DatabaseError:
                wait = self.database_backoff()
            stop.wait(max(wait, 1.0))

    def run_pass_safely(
        self, now: datetime, clock: Callable[[], datetime] | None = None
    ) -> PassReport | None:
        """One pass, or None when the database cannot be reached (logged, and counted for the backoff).

        A pass cut short by the database leaves every entry where the protocol put it: an entry already
        ``sending`` is reconciled against the network once the database is back, never resent blind."""
        try:
            report = self.run_pass(now, clock)
        except DatabaseError as exc:
            if not unreachable(exc):
                raise
            if rolled_back(exc):
                # Two workers' transactions crossed; PostgreSQL undid one of them, which left every
                # entry where it was. Nothing is wrong with the database: the next pass goes on.
                log.info("a transaction was rolled back (%s); the pass is tried again", exc.orig)
                return None
            self._database_failures += 1
            log.warning(
                "the database is unavailable (%s); trying again in %.0f s",
                str(exc.orig or exc).splitlines()[0],
                self.database_backoff(),
            )
            return None
        if self._database_failures:
            log.warning("the database is back after %d failed pass(es)", self._database_failures)
            self._database_failures = 0
        return report

    def database_backoff(self) -> float:
        return float(min(2 ** max(self._database_failures - 1, 0), 30))

    def close(self) -> None:
        self.db.dispose()
