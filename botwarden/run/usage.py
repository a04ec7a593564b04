"""The daily reconciliation of what botwarden metered against the network's own usage report (X's
``GET /2/usage/tweets``: posts read per UTC day), with a warning when the two drift apart."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from botwarden.networks import Network, NetworkUnavailable
from botwarden.networks.base import Metered, UsageReport
from botwarden.run.outbox import Alerts
from botwarden.store import Sessions, chores
from botwarden.store.events import record
from botwarden.store.spend import UsageDay, first_metered_day, metered_posts, save_usage_day, utc_day
from botwarden.typed_settings import Settings

CHORE = "usage:x"
EVERY = timedelta(hours=24)
RETRY = timedelta(hours=1)
_LOOKBACK_DAYS = 7  # the first reconciliation looks at most this far back


class UsageReconciler:
    def __init__(
        self, settings: Settings, sessions: Sessions, networks: Mapping[str, Network], alerts: Alerts
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.network = networks.get("x")
        self.alerts = alerts

    def run(self, now: datetime) -> list[UsageDay]:
        """Once a day: compare each complete UTC day since the last comparison; the days compared."""
        network = self.network
        if not isinstance(network, Metered):
            return []
        with self.sessions.begin() as session:
            found = chores.take(session, CHORE, now, now + EVERY)
            first = first_metered_day(session, "x")
        if found is None:
            return []
        if not network.reports_usage():
            self._unchecked(found, now)
            return []
        days = _days_to_compare(found.get("through"), first, now)
        try:
            report = network.usage(len(days) + 1 if days else 1)
        except NetworkUnavailable as exc:
            with self.sessions.begin() as session:
                record(session, now, "usage_unchecked", f"X usage not reconciled: {exc}")
                chores.finish(session, CHORE, found, next_at=now + RETRY)
            return []
        return self._compare(report, days, found, now)

    def _compare(
        self, report: UsageReport, days: list[str], found: dict[str, Any], now: datetime
    ) -> list[UsageDay]:
        compared = []
        with self.sessions.begin() as session:
            for day in days:
                metered = metered_posts(session, "x", day)
                reported = report.daily.get(day, 0)
                drift = self._drifted(metered, reported)
                compared.append(UsageDay(day, "x", reported, metered, report.scope, drift, now))
                save_usage_day(session, compared[-1])
                if drift:
                    self._warn(session, compared[-1], now)
            summary = {
                "scope": report.scope,
                "cap": report.cap,
                "used": report.used,
                "cap_reset_day": report.cap_reset_day,
                "checked_at": now.isoformat(),
                "through": days[-1] if days else found.get("through"),
            }
            chores.finish(session, CHORE, summary)
        self.alerts.flush()
        return compared

    def _unchecked(self, found: dict[str, Any], now: datetime) -> None:
        """Without the app's bearer token nothing is reconciled: said once, in the event log."""
        with self.sessions.begin() as session:
            if not found.get("unchecked"):
                record(
                    session,
                    now,
                    "usage_unchecked",
                    "X's usage report is not read, so the spend meter is not reconciled with it: set "
                    "BOTWARDEN_X_BEARER_TOKEN to the X app's bearer token",
                )
            chores.finish(session, CHORE, found | {"unchecked": True})

    def _drifted(self, metered: int, reported: int) -> bool:
        allowed: float = max(
            int(self.settings["x_usage_drift_posts"]), reported * self.settings["x_usage_drift_percent"] / 100
        )
        return abs(metered - reported) > allowed

    def _warn(self, session: Any, day: UsageDay, now: datetime) -> None:
        hint = (
            "X counts reads botwarden did not make (another app in the project? set x_client_app_id)"
            if day.reported > day.metered
            else "botwarden metered reads X did not count (X's once-a-day rule is a soft guarantee)"
        )
        message = (
            f"X usage drift on {day.day}: X's report ({day.scope}) counts {day.reported} post(s) read, "
            f"botwarden metered {day.metered}; {hint}"
        )
        record(session, now, "usage_drift", message, day=day.day, reported=day.reported, metered=day.metered)
        self.alerts.add("usage_drift", "", message, now, "drift")


def _days_to_compare(through: Any, first: str | None, now: datetime) -> list[str]:
    """The complete UTC days after ``through`` (or the last week's), not before anything was metered."""
    if first is None:
        return []
    yesterday = date.fromisoformat(utc_day(now)) - timedelta(days=1)
    start = (
        date.fromisoformat(str(through)) + timedelta(days=1)
        if through
        else yesterday - timedelta(days=_LOOKBACK_DAYS - 1)
    )
    start = max(start, date.fromisoformat(first))
    count = (yesterday - start).days + 1
    return [(start + timedelta(days=n)).isoformat() for n in range(max(count, 0))][-89:]
