"""The demo's sample feeds: a made-up harbour town's news, weather and transit alerts over one day.

Each entry appears in its feed at its time of the simulated day, so the feeds grow as the day goes on.
The content is planted to show the rules at work: a wire story carried twice (BW101), a morning burst
(BW903), night-time weather inside quiet hours (BW907), a busy weather day against a daily cap (BW902),
a story the news desk rewords from the transit account (BW103, held for a person), the same hashtags
on every weather post (BW105), a sponsored link through an ad server (BW301), a trending hashtag
left out (BW201), and a transit account whose alerts all link one status page (BW104 warns), which the
network locks in the afternoon for it (BW904); `botwarden diagnose` on the demo's store then names that
cause.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

SITE = "https://harbourtown.example"
#: Stands for the demo's ad server (a second loopback address) in an entry's path.
ADS = "{ads}"
#: The one page every transit alert links to.
STATUS_PAGE = "/travel"
#: What trends on the demo's network during the day.
TRENDS = {"local": ["#Regatta"]}
#: The ad server's one page: a click-through that sends readers on to the article.
AD_REDIRECTS = {"/click?campaign=summer-fair": SITE + "/news/summer-fair"}


@dataclass(frozen=True, slots=True)
class Entry:
    minute: int  # minutes after the simulated day's midnight (negative: the day before)
    guid: str
    title: str
    summary: str
    path: str
    categories: tuple[str, ...] = ()


NEWS = [
    Entry(
        -300,
        "news-0999",
        "Council publishes draft budget for next year",
        "The draft goes to public consultation next week.",
        "/news/draft-budget",
        ("Council",),
    ),
    Entry(
        -120,
        "news-1000",
        "Night ferry timetable extended through the summer",
        "Extra sailings on Friday and Saturday nights.",
        "/news/night-ferry",
        ("Transport",),
    ),
    Entry(
        420,
        "news-1001",
        "Fish market reopens after harbour wall repairs",
        "Traders return to the quay after six weeks of works on the old harbour wall.",
        "/news/fish-market-reopens?utm_source=rss&utm_medium=feed",
        ("Harbour", "Local business"),
    ),
    Entry(
        540,
        "news-1002",
        "Lifeboat crew rescues two kayakers off Gull Point",
        "Both were brought ashore safe and well.",
        "/news/lifeboat-gull-point",
        ("Harbour",),
    ),
    Entry(
        540,
        "news-1003",
        "School roof project wins regional design award",
        "Pupils helped design the planted roof.",
        "/news/school-roof-award",
        ("Education",),
    ),
    Entry(
        541,
        "news-1004",
        "Library extends weekend opening hours",
        "Open until 6pm on Saturdays from next month.",
        "/news/library-hours",
        ("Culture",),
    ),
    Entry(
        541,
        "news-1005",
        "New cycle lane on Quay Road opens to riders",
        "The two-way lane links the station with the seafront.",
        "/news/quay-road-cycle-lane",
        ("Transport", "cycling"),
    ),
    Entry(
        542,
        "news-1006",
        "Harbour festival line-up announced",
        "Twenty bands over three days in August.",
        "/news/festival-lineup",
        ("Culture", "Festival"),
    ),
    # The news desk re-posts the transit bot's ferry notice: one story on two of the operator's accounts.
    Entry(
        640,
        "news-1012",
        "Ferry: 10:40 sailing delayed 20 minutes, awaiting a crew change",
        "The harbour office expects normal service this afternoon.",
        "/news/ferry-delay",
        ("Transport",),
    ),
    Entry(
        690,
        "news-1007",
        "Harbour master warns of strong tides this weekend",
        "Small craft should stay inside the breakwater on Saturday.",
        "/news/tide-warning",
        ("Harbour",),
    ),
    # A sponsored story whose link goes through an ad server before the article (BW301).
    Entry(
        1140,
        "news-1013",
        "Summer fair: win a family pass",
        "Tickets for the August fair, courtesy of our sponsor.",
        ADS + "/click?campaign=summer-fair",
        ("Culture",),
    ),
    # Regatta is trending: the composer leaves out the #Regatta it would add and posts #Sailing (BW201).
    Entry(
        990,
        "news-1014",
        "Regatta entries open for the August races",
        "Crews can enter until the end of June.",
        "/news/regatta-entries",
        ("Regatta", "Sailing"),
    ),
    # The same wire story again under a new guid and a tracking link: a duplicate to a reader.
    Entry(
        760,
        "news-1008",
        "BREAKING: Lifeboat crew rescues two kayakers off Gull Point!",
        "Both were brought ashore safe and well.",
        "/news/lifeboat-gull-point?utm_campaign=wire",
        ("Harbour",),
    ),
    Entry(
        900,
        "news-1009",
        "Market square plans go on show at the town hall",
        "Residents can comment until the end of the month.",
        "/news/market-square-plans",
        ("Council",),
    ),
    Entry(
        1080,
        "news-1010",
        "Evening concert moves indoors as rain sets in",
        "The brass band plays the Corn Exchange instead.",
        "/news/concert-indoors",
        ("Culture",),
    ),
    Entry(
        1260,
        "news-1011",
        "Power cut hits streets near the old mill",
        "Engineers expect to restore supply by midnight.",
        "/news/power-cut",
        ("Utilities",),
    ),
]

LONG_FORECAST = (
    "A band of rain moves in from the west during the afternoon, heavy at times along the coast, with "
    "southwesterly winds strengthening to gale force on exposed headlands. Temperatures reach 14 degrees "
    "before falling back to 8 overnight. Tomorrow brings brighter, blustery weather with scattered "
    "showers, some of them heavy and thundery around midday, and a fresh breeze easing later."
)
WEATHER = [
    Entry(
        m,
        f"wx-{m:05d}",
        f"Harbour weather at {m % 1440 // 60:02d}:00: {cond}",
        summary,
        f"/weather/{m}",
        ("Weather", "Harbour"),  # the same two tags on every post: BW105's pattern
    )
    for m, cond, summary in [
        (-60, "clear", "Clear skies overnight."),
        (60, "clear, 6°C", "Light winds and clear skies."),
        (180, "mist, 5°C", "Mist patches over the water."),
        (360, "bright, 8°C", "A bright start to the day."),
        (480, "sunny spells, 10°C", "Sunny spells and a light breeze."),
        (600, "cloud thickening, 12°C", LONG_FORECAST),
        (720, "rain spreading in, 13°C", "Rain reaches the coast by early afternoon."),
        (780, "heavy rain, 12°C", "Heavy rain; standing water on Quay Road."),
        (840, "gale warning, 12°C", "Gusts of 55 mph expected on the headlands."),
        (900, "rain easing, 11°C", "The rain eases from the west."),
        (960, "showers, 11°C", "Scattered showers."),
        (1020, "clearing, 10°C", "Skies clearing from the west."),
        (1140, "dry, 9°C", "A dry evening."),
        (1320, "clear, 7°C", "Clear and cold overnight."),
        (1380, "clear, 6°C", "Frost possible inland."),
    ]
]

TRANSIT = [
    Entry(-30, "tr-0", "Ferry: normal service", "All sailings on time.", STATUS_PAGE),
    Entry(400, "tr-1", "Bus 7 diverted via Mill Lane", "Roadworks on High Street until Friday.", STATUS_PAGE),
    Entry(610, "tr-2", "Ferry: 10:40 sailing delayed 20 minutes", "Awaiting a crew change.", STATUS_PAGE),
    Entry(
        860, "tr-3", "Ferry: afternoon sailings cancelled (gale)", "Sailings resume tomorrow.", STATUS_PAGE
    ),
    Entry(930, "tr-4", "Bus 3 on diversion at the seafront", "Flooding on the promenade.", STATUS_PAGE),
    Entry(
        1050, "tr-5", "Trains: delays of up to 15 minutes", "A signal fault near the junction.", STATUS_PAGE
    ),
]

#: The network's (simulated) spam filter locks an account on its fourth post in 24 hours that links the
#: same page: what the transit account does, since each of its alerts links the one status page. BW104
#: warns from the second on (a warning lets a post through); `diagnose` finds it as the likely cause.
LOCK_AFTER_SAME_LINK = 4


def visible(
    entries: list[Entry], day: datetime, now: datetime, ads: str = ""
) -> list[tuple[Entry, datetime]]:
    """The entries published by ``now``, newest first, with ``ads`` (the ad server's base URL) filled in."""
    out = [(replace(e, path=e.path.replace(ADS, ads)), day + timedelta(minutes=e.minute)) for e in entries]
    return sorted([(e, t) for e, t in out if t <= now], key=lambda pair: pair[1], reverse=True)


def link(entry: Entry) -> str:
    return entry.path if "://" in entry.path else SITE + entry.path


def rss(title: str, entries: list[tuple[Entry, datetime]]) -> bytes:
    items = "".join(
        f"<item><title>{escape(e.title)}</title><link>{escape(link(e))}</link>"
        f'<guid isPermaLink="false">{e.guid}</guid><pubDate>{format_datetime(t)}</pubDate>'
        f"<description>{escape(e.summary)}</description>"
        + "".join(f"<category>{escape(c)}</category>" for c in e.categories)
        + "</item>"
        for e, t in entries
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}'
        f"</title><link>{SITE}</link><description>{escape(title)}</description>{items}</channel></rss>"
    ).encode()


def atom(title: str, entries: list[tuple[Entry, datetime]]) -> bytes:
    body = "".join(
        f"<entry><title>{escape(e.title)}</title><id>urn:harbourtown:{e.guid}</id>"
        f'<link href="{escape(link(e))}"/><updated>{t.isoformat()}</updated>'
        f"<summary>{escape(e.summary)}</summary>"
        + "".join(f'<category term="{escape(c)}"/>' for c in e.categories)
        + "</entry>"
        for e, t in entries
    )
    updated = entries[0][1].isoformat() if entries else "2026-01-01T00:00:00+00:00"
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:harbourtown:{escape(title)}</id>"
        f"<updated>{updated}</updated>{body}</feed>"
    ).encode()


def json_feed(title: str, entries: list[tuple[Entry, datetime]]) -> bytes:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
            "home_page_url": SITE,
            "items": [
                {
                    "id": e.guid,
                    "url": link(e),
                    "title": e.title,
                    "summary": e.summary,
                    "date_published": t.isoformat(),
                    "tags": list(e.categories),
                }
                for e, t in entries
            ],
        }
    ).encode()
