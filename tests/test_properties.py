"""Properties that hold for any input (Hypothesis): composed posts fit and keep their link whole, the
replay reader refuses any garbage with exit 2 and a message, and an item's identity survives re-ordering
and re-dating."""

from __future__ import annotations

import io
import json
import random
import re
import sys
from contextlib import redirect_stderr, redirect_stdout
from email.utils import format_datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from unittest.mock import patch
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from botwarden.cli.main import main
from botwarden.compose import HashtagPolicy, ItemFields, compose
from botwarden.compose.links import canonical_link
from botwarden.feeds import parse
from botwarden.text import measure

# Text as feeds carry it: any letters, CJK, emoji with joiners and variation selectors, punctuation.
TEXT = st.lists(
    st.one_of(
        st.characters(codec="utf-8", categories=("L", "N", "P", "Zs", "S", "M")),
        st.sampled_from(["👩\u200d👩\u200d👧", "🏳️\u200d🌈", "❤️", "渡し船", "é", "\u200d", "#", "@"]),
    ),
    max_size=400,
).map("".join)
PATHS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_/", min_size=0, max_size=120)
LINKS = st.builds(
    lambda host, path: f"https://{host}.example/{path}", st.from_regex(r"[a-z]{1,20}", fullmatch=True), PATHS
)


@given(
    title=TEXT,
    summary=TEXT,
    link=LINKS,
    network=st.sampled_from(["x", "mastodon", "bluesky"]),
    categories=st.lists(TEXT, max_size=4),
    limit=st.one_of(st.none(), st.integers(min_value=120, max_value=1000)),
)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_composed_post_fits_its_network_and_keeps_its_link_whole(
    title: str, summary: str, link: str, network: str, categories: list[str], limit: int | None
) -> None:
    limit = limit if network == "mastodon" else None
    fields = ItemFields(title=title, link=link, summary=summary, categories=tuple(categories))
    draft = compose(
        fields,
        "{title} {summary} {link} {hashtags}",
        network,
        limit=limit,
        hashtags=HashtagPolicy(True, 2, ()),
    )
    measured = measure(draft.text, network, limit=limit)
    assert measured.valid and measured.length <= measured.limit, (draft.text, measured)
    assert canonical_link(link) in draft.text.split()  # the whole link, as one word


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=12,
)
LINE = st.one_of(
    JSON.map(json.dumps),
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                ["action", "account", "posted", "config", "trend", "link", "opt_in", "nope"]
            )
        },
        optional={"id": JSON, "kind": JSON, "account": JSON, "at": JSON, "text": JSON, "network": JSON},
    ).map(json.dumps),
    st.text(max_size=40),
)


@given(lines=st.lists(LINE, min_size=1, max_size=6))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_replay_reader_refuses_garbage_with_exit_2_and_a_message(lines: list[str]) -> None:
    with TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        code, said = _main(["check", "--replay", str(path), "--format", "json"])
    assert code in (0, 2), said
    if code == 2:
        assert "error:" in said and "Traceback" not in said


def _main(argv: list[str]) -> tuple[int, str]:
    """Run the command line as its entry point does (errors become a message and an exit code)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with patch.object(sys, "argv", ["botwarden", *argv]), redirect_stdout(stdout), redirect_stderr(stderr):
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, stderr.getvalue()


ITEMS = st.lists(
    st.fixed_dictionaries(
        {
            "guid": st.one_of(st.none(), st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True)),
            "link": st.one_of(st.none(), LINKS),
            "title": st.from_regex(r"[A-Za-z][A-Za-z ]{0,40}", fullmatch=True),
        }
    ),
    min_size=1,
    max_size=8,
    unique_by=lambda i: str(i["guid"] or i["link"] or i["title"]),
)


def _key(item: dict[str, Any]) -> str:
    return str(item["guid"] or item["link"] or item["title"])


def _rss(items: list[dict[str, Any]], dates: list[int]) -> bytes:
    body = ""
    for item, day in zip(items, dates, strict=True):
        body += "<item>"
        if item["guid"]:
            body += f'<guid isPermaLink="false">{item["guid"]}</guid>'
        if item["link"]:
            body += f"<link>{escape(item['link'])}</link>"
        body += (
            f"<title>{escape(item['title'])}</title><pubDate>{format_datetime(_day(day))}</pubDate></item>"
        )
    return f'<rss version="2.0"><channel><title>t</title>{body}</channel></rss>'.encode()


def _day(day: int) -> Any:
    from datetime import UTC, datetime, timedelta

    return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day)


@given(items=ITEMS, seed=st.integers(min_value=0, max_value=10**6))
@settings(max_examples=150, deadline=None)
def test_identity_survives_reordering_and_redating(items: list[dict[str, Any]], seed: int) -> None:
    rng = random.Random(seed)
    original = parse(_rss(items, list(range(len(items)))), "https://feed.example/rss")
    shuffled = items[:]
    rng.shuffle(shuffled)
    redated = [rng.randint(100, 400) for _ in shuffled]
    again = parse(_rss(shuffled, redated), "https://feed.example/rss")
    before = {_key(source): item.id for item, source in zip(original.items, items, strict=True)}
    for item, source in zip(again.items, shuffled, strict=True):
        if source["guid"] or source["link"]:  # with neither, the date is part of the identity by design
            assert before[_key(source)] == item.id
    assert len({i.id for i in original.items}) == len(original.items)


URLS = st.builds(
    lambda scheme, host, rest: f"{scheme}://{host}{rest}",
    st.sampled_from(["http", "https", "HTTPS"]),
    st.from_regex(r"[a-zA-Z0-9.-]{1,20}(:[0-9]{1,5})?", fullmatch=True),
    st.text(alphabet="abcXYZ019-_/.;%?#&=~ é\\", max_size=40),
)


@given(URLS)
def test_canonical_links_quick_path_agrees_with_the_full_parse(url: str) -> None:
    from botwarden.compose import links

    quick = links.canonical_link.__wrapped__(url)
    plain, links._PLAIN = links._PLAIN, re.compile(r"(?!)")  # every URL through urlsplit
    try:
        assert quick == links.canonical_link.__wrapped__(url)
    finally:
        links._PLAIN = plain
