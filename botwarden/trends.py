"""What is trending on each network now, for BW201 and for the composer (which drops a hashtag it added
when that hashtag trends).

Providers:

- :class:`FileTrends`: a local file the operator (or a cron job) keeps current. JSON maps a network to
  its terms (``{"x": ["#Budget2026", "ferry strike"], "mastodon": [...]}``); any other file is one term a
  line for every network, a line ``network: term`` names one network, and ``# `` (with the space) starts
  a comment line. Re-read when it changes.
- :class:`XTrends`: X's trends endpoint (``GET /2/trends/by/woeid/{woeid}``) with an app bearer token,
  where the account's API access includes it; asked at most every ``refresh`` and kept when a later
  answer fails.
- Replays use their ``trend`` lines.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import httpx

from botwarden.compose.hashtags import is_trending
from botwarden.errors import ConfigError
from botwarden.networks.metering import Billable, Meter, Use
from botwarden.rules.facts import Trend

log = logging.getLogger("botwarden")
ALL_NETWORKS = ("x", "mastodon", "bluesky", "local")
__all__ = ["CombinedTrends", "FileTrends", "TrendsProvider", "XTrends", "is_trending", "parse_trends"]


class TrendsProvider(Protocol):
    def current(self, now: datetime) -> list[Trend]:
        """What trends now, one :class:`Trend` per network that has any."""
        ...


class FileTrends:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._stamp: tuple[int, int] | None = None
        self._terms: dict[str, frozenset[str]] = {}

    def current(self, now: datetime) -> list[Trend]:
        self._reload()
        return [Trend(network, now, terms) for network, terms in sorted(self._terms.items()) if terms]

    def _reload(self) -> None:
        try:
            stat = self.path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            if stamp == self._stamp:
                return
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"trends file {self.path}: cannot read it ({exc.strerror or exc})") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"trends file {self.path}: not UTF-8 text (byte {exc.start})") from exc
        self._terms = parse_trends(text, str(self.path))
        self._stamp = stamp


def parse_trends(text: str, label: str) -> dict[str, frozenset[str]]:
    if label.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"trends file {label}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(t, str) for t in v)
            for k, v in data.items()
        ):
            raise ConfigError(f'trends file {label}: expected {{"network": ["term", ...], ...}}')
        return {network: _fold(terms) for network, terms in data.items()}
    found: dict[str, set[str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "#" or line.startswith(("# ", "#\t")):  # '#word' is a hashtag, not a comment
            continue
        network, sep, term = line.partition(":")
        network = network.strip().lower()
        if sep and network in ALL_NETWORKS:
            found.setdefault(network, set()).add(term)
        else:
            for each in ALL_NETWORKS:
                found.setdefault(each, set()).add(line)
    return {network: _fold(terms) for network, terms in found.items()}


def _fold(terms: Sequence[str] | set[str]) -> frozenset[str]:
    return frozenset(t.strip().casefold() for t in terms if t.strip())


class XTrends:
    """X's trends for one place (a WOEID; 1 is worldwide), with an app bearer token."""

    def __init__(
        self,
        token: str,
        woeid: int,
        *,
        base_url: str = "https://api.x.com",
        refresh: timedelta = timedelta(minutes=15),
        transport: httpx.BaseTransport | None = None,
        meter: Meter | None = None,
    ) -> None:
        """Each answer's trends are reported to ``meter``: X bills every trend it returns."""
        self.meter = meter
        self._client = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, transport=transport, timeout=10
        )
        self.woeid = woeid
        self.refresh = refresh
        self._asked: datetime | None = None
        self._terms: frozenset[str] = frozenset()

    def current(self, now: datetime) -> list[Trend]:
        if self._asked is None or now - self._asked >= self.refresh:
            self._asked = now
            self._terms = self._ask() or self._terms
        return [Trend("x", now, self._terms)] if self._terms else []

    def _ask(self) -> frozenset[str] | None:
        path = f"/2/trends/by/woeid/{self.woeid}"
        try:
            response = self._client.get(path, params={"max_trends": 50, "trend.fields": "trend_name"})
        except httpx.HTTPError as exc:
            log.warning("trends: X trends could not be read (%s); keeping the last ones", type(exc).__name__)
            return None
        if response.status_code != 200:
            log.warning("trends: X answered HTTP %s for trends; keeping the last ones", response.status_code)
            return None
        try:
            data = response.json().get("data") or []
            names = [str(item["trend_name"]) for item in data if item.get("trend_name")]
        except (ValueError, AttributeError, TypeError):
            log.warning("trends: X's trends answer was not the documented shape; keeping the last ones")
            return None
        if self.meter is not None and names:
            when = datetime.now(UTC)
            self.meter.add(
                Use(when, "x", None, Billable.TREND_READ, "trend", "trends", f"GET {path}", tuple(names))
            )
        return _fold(names)

    def close(self) -> None:
        self._client.close()


class CombinedTrends:
    """Several providers' trends together (a file for Mastodon and Bluesky, X's endpoint for X)."""

    def __init__(self, providers: Sequence[TrendsProvider]) -> None:
        self.providers = list(providers)

    def current(self, now: datetime) -> list[Trend]:
        merged: dict[str, frozenset[str]] = {}
        for provider in self.providers:
            for trend in provider.current(now):
                merged[trend.network] = merged.get(trend.network, frozenset()) | trend.terms
        return [Trend(network, now, terms) for network, terms in sorted(merged.items())]
