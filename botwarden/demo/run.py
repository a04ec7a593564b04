"""`botwarden demo`: one simulated day of a harbour town's three bots, on a fast clock.

Sample feeds are served on loopback and grow through the day; botwarden fetches them every ten simulated
minutes, composes, checks, paces and publishes to the ``local`` network. The day runs in a few seconds.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from botwarden import config as config_module
from botwarden.demo import samples
from botwarden.demo.server import FeedServer, Redirect
from botwarden.networks import Outcome, OutcomeKind
from botwarden.run.loop import Runtime
from botwarden.store.reads import entry_reports
from botwarden.store.views import EntryReport

DAY = datetime(2026, 3, 21, tzinfo=UTC)
LOCK_MESSAGE = (
    "326: To protect our users from spam and other malicious activity, this account is temporarily locked."
)


@dataclass(slots=True)
class DemoResult:
    entries: list[EntryReport]
    counts: Counter[str]
    database: Path
    locked_at: datetime | None = None  # when the network locked the transit account


class _SimulatedDay:
    def __init__(self) -> None:
        self.now = DAY
        self.ads = ""  # the ad server's base URL, once it listens
        self.same_link_posts: list[datetime] = []  # the transit account's posts linking its status page
        self.locked_at: datetime | None = None

    def documents(self, path: str) -> tuple[bytes, str] | None:
        if path == "/news.rss":
            return samples.rss(
                "Harbour Town News", samples.visible(samples.NEWS, DAY, self.now, self.ads)
            ), "application/rss+xml"
        if path == "/weather.atom":
            return samples.atom(
                "Harbour Weather", samples.visible(samples.WEATHER, DAY, self.now)
            ), "application/atom+xml"
        if path == "/transit.json":
            return samples.json_feed(
                "Harbour Transit", samples.visible(samples.TRANSIT, DAY, self.now)
            ), "application/feed+json"
        return None

    @staticmethod
    def ad_server(path: str) -> Redirect | None:
        target = samples.AD_REDIRECTS.get(path)
        return Redirect(target) if target else None

    def faults(self, account: str, text: str, at: datetime) -> Outcome | None:
        """The network's side: its spam filter locks the transit account on the fourth post in a day that
        links the same page (and it stays locked, probes included)."""
        if account != "harbour-transit":
            return None
        if self.locked_at is not None:
            return Outcome(OutcomeKind.LOCKED, message=LOCK_MESSAGE)
        if samples.SITE + samples.STATUS_PAGE not in text:
            return None
        recent = [t for t in self.same_link_posts if at - t < timedelta(hours=24)]
        if len(recent) + 1 >= samples.LOCK_AFTER_SAME_LINK:
            self.locked_at = at
            return Outcome(OutcomeKind.LOCKED, message=LOCK_MESSAGE)
        self.same_link_posts.append(at)
        return None


def demo_config(
    base_url: str, database: Path, overrides: dict[str, str] | None = None, *, trends_file: Path | None = None
) -> config_module.Config:
    raw = {
        "settings": {
            "database_url": f"sqlite:///{database}",
            # 127.0.0.2 plays an ad server: reachable for the link resolver, and listed as an ad host.
            "allow_hosts": ["127.0.0.1", "127.0.0.2"],
            "interstitial_hosts": ["127.0.0.2"],
            "declared_sources": ["harbourtown.example"],
            "trends_file": str(trends_file or ""),
            "fetch_interval_minutes": 10,
            "jitter_seconds": 60,
            "min_interval_minutes": 4,
        },
        "accounts": [
            {"id": "harbour-news", "network": "local", "operator": "harbour-media"},
            {"id": "harbour-weather", "network": "local", "operator": "harbour-media", "daily_cap": 8},
            {"id": "harbour-transit", "network": "local", "operator": "harbour-media"},
        ],
        "feeds": [
            {"id": "news", "url": f"{base_url}/news.rss"},
            {"id": "weather", "url": f"{base_url}/weather.atom"},
            {"id": "transit", "url": f"{base_url}/transit.json"},
        ],
        "routes": [
            {"feed": "news", "account": "harbour-news", "template": "{title} {link} {hashtags}"},
            {
                "feed": "weather",
                "account": "harbour-weather",
                "template": "{title}. {summary} {link} {hashtags}",
                "hashtags": {"from_categories": False, "fixed": ["HarbourWeather", "Forecast"]},
                "pacing": {"quiet_hours": "22:00-06:00", "timezone": "Europe/London"},
            },
            {"feed": "transit", "account": "harbour-transit", "template": "🚌 {title}: {summary} {link}"},
        ],
    }
    return config_module.from_mapping(raw, label="demo", env={}, overrides=overrides)


def run_demo(out_dir: Path, console: Console, *, step_minutes: int = 5) -> DemoResult:
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    database = out_dir / "demo.db"
    trends = out_dir / "trends.json"
    trends.write_text(json.dumps(samples.TRENDS), encoding="utf-8")
    day = _SimulatedDay()
    with FeedServer(day.documents) as server, FeedServer(day.ad_server, host="127.0.0.2") as ads:
        day.ads = ads.base_url
        config = demo_config(server.base_url, database, trends_file=trends)
        runtime = Runtime(config, faults=day.faults, rng=random.Random(2026), worker_id="demo")
        steps = range(0, 24 * 60, step_minutes)
        with Progress(
            TextColumn("simulated day"),
            BarColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("00:00", total=len(steps))
            for minute in steps:
                day.now = DAY + timedelta(minutes=minute)
                runtime.run_pass(day.now)
                progress.update(task, advance=1, description=f"{day.now:%H:%M}")
        with runtime.sessions() as session:
            entries = entry_reports(session)
        runtime.close()
    counts = Counter(e.outcome for e in entries)
    return DemoResult(entries, counts, database, day.locked_at)


def print_summary(result: DemoResult, console: Console) -> None:
    """What happened to each item, in time order: a line with the account, the outcome, when it was
    posted and the rule codes, then the item's title and, under it, why."""
    from botwarden.cli.entries import print_entries

    console.rule(f"One simulated day, {DAY:%Y-%m-%d} (times UTC)")
    print_entries(result.entries, console)
    console.rule()
    order = ["posted", "posted after delay", "delayed", "held", "denied", "failed"]
    parts = [f"{result.counts.get(k, 0)} {k}" for k in order]
    console.print("Summary: " + ", ".join(parts))
    command = sys.argv[0] if sys.argv and sys.argv[0].endswith("botwarden") else "botwarden"
    database = f"sqlite:///{result.database}"
    if result.locked_at is not None:
        console.print(
            f"The network locked harbour-transit at {result.locked_at:%H:%M}: every one of its alerts links "
            "the same status page, which BW104 warned of but let through. Diagnose it:",
            highlight=False,
        )
        console.print(f"  {command} diagnose --database {database}", highlight=False, soft_wrap=True)
    console.print(f"The store is at {result.database}; look around with:", highlight=False)
    for what in ("queue", "review", "skipped", "status"):
        console.print(f"  {command} {what} --database {database}", highlight=False, soft_wrap=True)
