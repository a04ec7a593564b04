"""The labelled development set of ``bench/fidelity.py``: pairs of posts, each labelled ``same`` (one story
or item told twice, however worded) or ``different``, by where they come from.

- ``cross-outlet``: items of the news feeds of ``../shared/corpora/feeds/`` (13-18 Feb 2026) grouped by
  story by a person reading all of them (``data/fidelity/news_stories.json``: feed file and item id, no
  text copied). Every pair of two outlets' items inside a story is ``same``; pairs of different stories
  that share at least one content word (a name, a place, a topic: the pairs a judgement can get wrong)
  are ``different``. Pairs the person marked unsure are left out.
- ``within-feed``: pairs of items of one real feed, posted within a week, whose titles share many words
  (series parts, products with similar names, re-posts), each labelled by reading it
  (``data/fidelity/within_feed.jsonl``); judged as one account's two posts, with their links.
- ``series`` and ``templated``: numbered series titles and data posts (weather, tides, scores, alerts,
  quakes, rates) generated here from templates with seeded values: different numbers are ``different``,
  the same values twice are ``same``.

The real items are read from the shared corpus at run time; without it only the generated sets are there.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "fidelity"
FEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "feeds"


@dataclass(frozen=True, slots=True)
class Pair:
    a: str
    b: str
    same: bool
    source: str
    links: tuple[str, str] = ("", "")  # the items' own links, where they are two posts of one feed


@dataclass(frozen=True, slots=True)
class FeedItem:
    feed: str
    id: str
    title: str
    link: str
    summary: str
    categories: tuple[str, ...]
    at: str  # ISO time, or '' when the item has none


@cache
def feed_items(feed: str) -> dict[str, FeedItem]:
    """The items of one corpus feed by id, first occurrence of an id only (as ingest keeps them)."""
    from botwarden.compose.plain import plain_text
    from botwarden.feeds import parse

    parsed = parse((FEEDS / feed).read_bytes(), f"https://example.invalid/{feed}")
    items: dict[str, FeedItem] = {}
    for item in parsed.items:
        when = item.published or item.updated
        items.setdefault(
            item.id,
            FeedItem(
                feed,
                item.id,
                plain_text(item.title),
                item.link,
                plain_text(item.summary),
                tuple(item.categories),
                when.isoformat() if when else "",
            ),
        )
    return items


def corpus_available() -> bool:
    return FEEDS.is_dir() and any(FEEDS.iterdir())


def news_stories() -> list[list[FeedItem]]:
    """The labelled stories: each a list of items of the news feeds that tell it."""
    stories = json.loads((DATA / "news_stories.json").read_text())
    return [[feed_items(ref["feed"])[ref["id"]] for ref in story["items"]] for story in stories["stories"]]


def news_items() -> list[FeedItem]:
    """Every labelled news item (13-18 Feb 2026), in story clusters or on its own."""
    listed = json.loads((DATA / "news_stories.json").read_text())
    return [feed_items(ref["feed"])[ref["id"]] for ref in listed["items"]]


def cross_outlet_pairs() -> Iterator[Pair]:
    """Every pair of two outlets' labelled news items: ``same`` inside a story, ``different`` across."""
    story_of: dict[tuple[str, str], int] = {}
    for number, story in enumerate(news_stories()):
        for item in story:
            story_of[item.feed, item.id] = number
    listed = json.loads((DATA / "news_stories.json").read_text())
    unsure = {
        frozenset(((u["a"]["feed"], u["a"]["id"]), (u["b"]["feed"], u["b"]["id"]))) for u in listed["unsure"]
    }
    from botwarden.similarity.profile import profile

    items = news_items()
    content = {(i.feed, i.id): profile(i.title).content_terms() for i in items}
    for a, b in itertools.combinations(items, 2):
        if a.feed == b.feed or frozenset(((a.feed, a.id), (b.feed, b.id))) in unsure:
            continue
        sa, sb = story_of.get((a.feed, a.id)), story_of.get((b.feed, b.id))
        same = sa is not None and sa == sb
        if same or content[a.feed, a.id] & content[b.feed, b.id]:
            yield Pair(a.title, b.title, same, "cross-outlet")


def within_feed_pairs() -> Iterator[Pair]:
    with (DATA / "within_feed.jsonl").open() as lines:
        for line in lines:
            row = json.loads(line)
            if row["label"] == "unsure":
                continue
            items = feed_items(row["feed"])
            a, b = items[row["a"]], items[row["b"]]
            yield Pair(a.title, b.title, row["label"] == "same", "within-feed", (a.link, b.link))


# -- generated sets -------------------------------------------------------------------------------------

_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
_ORDINAL = ["One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]  # fmt: skip
_SUBJECTS = [
    "Building a Compiler in Rust", "Restoring a 1968 Sailboat", "Learning Japanese Grammar",
    "Home Network Hardening", "The Sourdough Diaries", "Notes on Distributed Consensus",
    "Writing a Game Engine", "Our Kitchen Renovation", "Raspberry Pi Weather Station",
    "Understanding Type Inference", "Field Notes from the Allotment", "Migrating to PostgreSQL",
    "The Garden Railway Project", "Profiling Python Services", "A Walk Along the Thames Path",
]  # fmt: skip
_SERIES_SHAPES = [
    "{s}, Part {n}", "{s} (Part {r})", "{s} — part {n} of 6", "{s}: Day {w}", "{s} #{n}",
    "Episode {n}: {s}", "Week {n} of {s}", "{s}, Chapter {n}", "{s} pt. {n}", "{s} Vol. 3, No. {n}",
    "{s}: {m} {d}, 2026", "{s} v1.{n}.0 released", "{s} — Season 2, Episode {n}", "{s} {r}",
]  # fmt: skip


def series_pairs(seed: int = 17) -> list[Pair]:
    """Two parts of one numbered series are different posts; one part twice is the same."""
    rng = random.Random(seed)
    pairs: list[Pair] = []
    for subject, shape in itertools.product(_SUBJECTS, _SERIES_SHAPES):
        first, second = rng.sample(range(1, 10), 2)

        def part(n: int, subject: str = subject, shape: str = shape) -> str:
            return shape.format(s=subject, n=n, r=_ROMAN[n - 1], w=_ORDINAL[n - 1], m=_MONTHS[n], d=n + 3)

        pairs.append(Pair(part(first), part(second), False, "series"))
        if rng.random() < 0.25:
            pairs.append(Pair(part(first), part(first), True, "series"))
    return pairs


_PLACES = ["Harbourtown", "Gull Point", "Northfield", "Riverside", "Kingsbridge", "Saltmarsh", "Eastwick"]
_TEMPLATES = [
    lambda v: (
        f"{v.place} weather at {v.hour:02d}:00: {v.temp}°C, {v.sky}, wind {v.wind_dir} {v.wind} km/h, "
        f"rain {v.rain}%"
    ),
    lambda v: (
        f"Tides for {v.place}: high water {v.hour:02d}:{v.minute:02d} ({v.height:.1f} m), low water "
        f"{(v.hour + 6) % 24:02d}:{(v.minute + 13) % 60:02d} ({v.low:.1f} m)"
    ),
    lambda v: f"FT: {v.place} Rovers {v.goals_a}-{v.goals_b} {v.rival} City. Attendance {v.crowd:,}.",
    lambda v: (
        f"Flood alert: River {v.river} at {v.place} is at {v.level:.2f} m and {v.trend} "
        f"(alert level {v.alert:.2f} m). Updated {v.hour:02d}:{v.minute:02d}."
    ),
    lambda v: (
        f"M{v.magnitude:.1f} earthquake {v.km} km {v.wind_dir} of {v.place}, depth {v.depth} km, "
        f"at {v.hour:02d}:{v.minute:02d} UTC"
    ),
    lambda v: f"Air quality in {v.place} today: index {v.aqi} ({v.band}), PM2.5 {v.pm} µg/m³",
    lambda v: f"Exchange rates {v.d} {_MONTHS[v.month]}: 1 EUR = {v.usd:.4f} USD, 1 GBP = {v.gbp:.4f} EUR",
    lambda v: f"{v.place} line: the {v.hour:02d}:{v.minute:02d} to {v.rival} is delayed by {v.delay} minutes",
    lambda v: f"Pollen forecast for {v.place}: grass {v.band}, tree {v.sky}, count {v.aqi} grains/m³",
    lambda v: (
        f"Ferry {v.place}–{v.rival}: sailings at {v.hour:02d}:{v.minute:02d} and "
        f"{(v.hour + 2) % 24:02d}:{v.minute:02d} cancelled, next at {(v.hour + 4) % 24:02d}:00"
    ),
]


class _Values:
    """One draw of the values a data post carries."""

    def __init__(self, rng: random.Random, place: str) -> None:
        self.place = place
        self.rival = rng.choice([p for p in _PLACES if p != place])
        self.hour, self.minute, self.d, self.month = (
            rng.randrange(24),
            rng.randrange(60),
            rng.randint(1, 28),
            rng.randrange(12),
        )
        self.temp, self.wind, self.rain = rng.randint(-8, 31), rng.randint(0, 70), rng.randrange(0, 101, 10)
        self.sky = rng.choice(["sunny", "cloudy", "light rain", "showers", "overcast", "fog"])
        self.wind_dir = rng.choice(["N", "NE", "E", "SE", "S", "SW", "W", "NW"])
        self.height, self.low = rng.uniform(3, 6), rng.uniform(0.2, 1.5)
        self.goals_a, self.goals_b, self.crowd = rng.randrange(5), rng.randrange(5), rng.randint(800, 30000)
        self.river = rng.choice(["Tamar", "Wye", "Ouse", "Avon", "Severn"])
        self.level, self.alert = rng.uniform(0.5, 4), rng.uniform(2, 4)
        self.trend = rng.choice(["rising", "falling", "steady"])
        self.magnitude, self.km, self.depth = rng.uniform(2, 6.5), rng.randint(2, 80), rng.randint(1, 30)
        self.aqi, self.pm = rng.randint(5, 180), rng.randint(2, 90)
        self.band = rng.choice(["low", "moderate", "high", "very high"])
        self.usd, self.gbp = rng.uniform(1.02, 1.2), rng.uniform(1.1, 1.25)
        self.delay = rng.randint(3, 45)


def templated_pairs(seed: int = 23, per_template: int = 12) -> list[Pair]:
    """Data posts from one template: other values are a different post, the same values the same."""
    rng = random.Random(seed)
    pairs: list[Pair] = []
    for template in _TEMPLATES:
        for _ in range(per_template):
            place = rng.choice(_PLACES)
            first, second = _Values(rng, place), _Values(rng, place)
            a, b = template(first), template(second)
            if a != b:
                pairs.append(Pair(a, b, False, "templated"))
            if rng.random() < 0.3:
                pairs.append(Pair(a, template(first), True, "templated"))
    return pairs


def development_pairs() -> list[Pair]:
    """The whole labelled set: generated sets always, the corpus sets where ../shared is beside us."""
    pairs = series_pairs() + templated_pairs()
    if corpus_available():
        pairs += list(within_feed_pairs()) + list(cross_outlet_pairs())
    return pairs
