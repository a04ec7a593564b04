"""`preview` equals `run`: the same items pass the filters and the first-run choice, the same text per
network with the same measured length, the same images and alt text, the same card, the same verdicts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from botwarden import config as config_module
from botwarden.cli.main import app
from botwarden.cli.preview import preview_routes
from botwarden.networks.build import credential_store
from botwarden.run.loop import Runtime
from botwarden.store.models import QueueRow, VerdictRow
from tests.conftest import Site
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.x import FakeX
from tests.media_files import media_rss, photo

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def networks() -> Iterator[tuple[FakeX, FakeBluesky]]:
    servers = (FakeX(), FakeBluesky())
    for server in servers:
        server.start()
    yield servers
    for server in servers:
        server.stop()


def _raw(tmp_path: Path, base: str, x: FakeX, bluesky: FakeBluesky, first_run: str) -> dict[str, Any]:
    return {
        "settings": {
            "database_url": f"sqlite:///{tmp_path / 'bw.db'}",
            "secret_key_file": str(tmp_path / "secret.key"),
            "allow_hosts": ["127.0.0.1"],
            "jitter_seconds": 0,
            "min_interval_minutes": 0,
            "burst_max": 100,
            "resolve_links": False,
            "first_run": first_run,
        },
        "accounts": [
            {"id": "xnews", "network": "x", "server": x.url, "operator": "a"},
            {"id": "skies", "network": "bluesky", "server": bluesky.url, "operator": "b"},
        ],
        "feeds": [{"id": "harbour", "url": f"{base}/feed.rss"}],
        "routes": [
            {
                "feed": "harbour",
                "account": "xnews",
                "template": "{title} {link}",
                "filters": {"exclude": {"title": ["advert"]}},
                "post": {"alt_text": "Picture: {title}"},
            },
            {
                "feed": "harbour",
                "account": "skies",
                "template": "{title}: {summary} {link}",
                "post": {"thread": True, "thread_max": 3},
            },
        ],
    }


def _items(base: str) -> list[dict[str, str]]:
    long = " ".join(["The council met late into the evening to weigh the ferry plans."] * 12)
    return [
        {"guid": "1", "title": "Pier reopens after the storm", "link": "https://h.example/1"},
        {"guid": "2", "title": "Paid advert: boat sale", "link": "https://h.example/2"},
        {
            "guid": "3",
            "title": "Lost dog near the pier, owner Jane on (415) 555-2671",
            "link": "https://h.example/3",
        },
        {
            "guid": "4",
            "title": "Council backs the new ferry",
            "link": "https://h.example/4",
            "summary": long,
            "image": f"{base}/ferry.jpg",
        },
    ]


def _feed(docs: Site, base: str) -> None:
    docs.put("/ferry.jpg", photo(2400, 1600, seed=9), "image/jpeg")
    items = list(reversed(_items(base)))  # the newest first, as feeds list them
    docs.put("/feed.rss", media_rss(items, when=T0, step=timedelta(hours=1)))


@pytest.mark.parametrize("first_run", ["all", "newest"])
def test_preview_shows_exactly_what_run_then_posts_and_refuses(
    tmp_path: Path, site: tuple[Site, Any], networks: tuple[FakeX, FakeBluesky], first_run: str
) -> None:
    docs, server = site
    x, bluesky = networks
    _feed(docs, server.base_url)
    config = config_module.from_mapping(_raw(tmp_path, server.base_url, x, bluesky, first_run), env={})

    previewed = {route: posts for route, posts, error in preview_routes(config, limit=10, at=T0) if not error}
    assert set(previewed) == {"harbour->xnews", "harbour->skies"}
    assert not (tmp_path / "bw.db").exists()  # preview writes nothing

    runtime = Runtime(config, env={})
    store = credential_store(config, runtime.sessions, env={})
    store.update("xnews", x.add_oauth1_user("xnews"))
    store.update("skies", bluesky.add_user("skies.example.com"))
    runtime.run_pass(T0)
    with runtime.sessions() as session:
        entries = {(e.route_id, e.text): e for e in session.scalars(select(QueueRow))}
        verdicts = {v.queue_id: v for v in session.scalars(select(VerdictRow))}

    posted_x = [t["sent_text"] for t in x.user("xnews").tweets]
    posted_bsky = [r["value"]["text"] for r in bluesky.user("skies.example.com").records]
    for route, posted in (("harbour->xnews", posted_x), ("harbour->skies", posted_bsky)):
        allowed = [
            p for p in previewed[route] if p.verdict is not None and p.verdict.decision.value == "allow"
        ]
        assert [part.text for p in allowed for part in p.plan.parts] == posted  # type: ignore[union-attr]
        queued = [p for p in previewed[route] if p.plan is not None]
        assert len(queued) == sum(1 for r, _ in entries if r == route)
        for post in queued:
            entry = entries[(route, post.plan.draft.text)]  # type: ignore[union-attr]
            assert entry.length == post.plan.draft.measure.length  # type: ignore[union-attr]
            assert verdicts[entry.id].codes == post.verdict.codes  # type: ignore[union-attr]
            assert verdicts[entry.id].decision == post.verdict.decision.value  # type: ignore[union-attr]

    skipped = {p.title: p.skipped for p in previewed["harbour->xnews"] if p.plan is None}
    assert skipped["Paid advert: boat sale"].startswith("filtered:")
    if first_run == "newest":
        assert skipped["Pier reopens after the storm"].startswith("not queued: a first run queues newest")
        assert skipped["Lost dog near the pier, owner Jane on (415) 555-2671"].startswith("not queued")
        assert len(posted_x) == 1
    else:
        held = next(p for p in previewed["harbour->xnews"] if p.title.startswith("Lost dog"))
        assert held.verdict is not None and held.verdict.codes == ["BW801"]
    ferry = next(p for p in previewed["harbour->xnews"] if p.title == "Council backs the new ferry")
    [image] = ferry.plan.attachments  # type: ignore[union-attr]
    assert image.alt == "Picture: Council backs the new ferry"
    assert [m["alt"] for t in x.user("xnews").tweets for m in t["media"]] == [image.alt]
    thread = next(p for p in previewed["harbour->skies"] if p.title == "Council backs the new ferry")
    assert len(thread.plan.parts) == 3 and thread.plan.card is not None  # type: ignore[union-attr]
    assert thread.plan.card.thumb is not None  # type: ignore[union-attr]
    runtime.close()


def test_the_preview_command_shows_media_card_lengths_and_verdicts(
    tmp_path: Path, site: tuple[Site, Any], networks: tuple[FakeX, FakeBluesky]
) -> None:
    docs, server = site
    x, bluesky = networks
    _feed(docs, server.base_url)
    raw = _raw(tmp_path, server.base_url, x, bluesky, "all")
    lines = ['[settings]\nallow_hosts = ["127.0.0.1"]\nresolve_links = false\nfirst_run = "all"\n']
    lines.append(f'[[accounts]]\nid = "xnews"\nnetwork = "x"\nserver = "{x.url}"\n')
    lines.append(f'[[accounts]]\nid = "skies"\nnetwork = "bluesky"\nserver = "{bluesky.url}"\n')
    lines.append(f'[[feeds]]\nid = "harbour"\nurl = "{raw["feeds"][0]["url"]}"\n')
    lines.append(
        '[[routes]]\nfeed = "harbour"\naccount = "xnews"\n[routes.filters.exclude]\ntitle = ["advert"]\n'
    )
    lines.append(
        '[[routes]]\nfeed = "harbour"\naccount = "skies"\ntemplate = "{title}: {summary} {link}"\n'
        "[routes.post]\nthread = true\nthread_max = 3\n"
    )
    path = tmp_path / "bw.toml"
    path.write_text("".join(lines))
    result = CliRunner().invoke(app, ["preview", "-c", str(path), "--limit", "4"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "filtered:" in out and "verdict: hold BW801" in out and "verdict: allow" in out
    assert "/280 on x" in out and "/300 on bluesky" in out and "[3/3]" in out
    assert "image: " in out and "alt: Council backs the new ferry" in out
    assert "card: Council backs the new ferry → https://h.example/4, thumbnail" in out
