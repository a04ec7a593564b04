"""Shared fixtures: the ../shared folder, a loopback feed server, and config builders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from botwarden import config as config_module
from botwarden.demo.server import FeedServer, Redirect

from . import pg

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-scenarios",
        action="store_true",
        help="rewrite tests/scenarios/*.expected.jsonl from the engine (review the diff!)",
    )


@pytest.fixture(scope="session")
def postgres() -> Iterator[pg.ThrowawayCluster]:
    """A PostgreSQL cluster of the tests' own, for the whole session."""
    why = pg.available()
    if why:
        pytest.skip(why)
    cluster = pg.ThrowawayCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend the store supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    cluster: pg.ThrowawayCluster = request.getfixturevalue("postgres")
    return cluster.new_database()


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the checkout")
    return SHARED


class Site:
    """Documents a FeedServer serves; tests change them between passes."""

    def __init__(self) -> None:
        self.docs: dict[str, tuple[bytes, str] | Redirect] = {}

    def __call__(self, path: str) -> tuple[bytes, str] | Redirect | None:
        return self.docs.get(path)

    def put(self, path: str, body: bytes, content_type: str = "application/rss+xml") -> None:
        self.docs[path] = (body, content_type)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.docs[path] = Redirect(location, status)


@pytest.fixture
def site() -> Iterator[tuple[Site, FeedServer]]:
    documents = Site()
    with FeedServer(documents) as server:
        yield documents, server


def rss(*items: dict[str, str], title: str = "Test feed") -> bytes:
    """A small RSS 2.0 document; each item has guid, title, link, optional pubDate/description/category."""
    body = ""
    for item in items:
        body += "<item>"
        for key in ("guid", "title", "link", "pubDate", "description"):
            if key in item:
                body += f"<{key}>{item[key]}</{key}>"
        for category in item.get("category", "").split(",") if item.get("category") else []:
            body += f"<category>{category}</category>"
        body += "</item>"
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://example.org/</link><description>d</description>{body}</channel></rss>"
    ).encode()


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., config_module.Config]:
    def build(
        base_url: str, *, routes: list[dict[str, Any]] | None = None, **settings: Any
    ) -> config_module.Config:
        raw: dict[str, Any] = {
            "settings": {
                "database_url": f"sqlite:///{tmp_path / 'bw.db'}",
                "allow_hosts": ["127.0.0.1"],
                "jitter_seconds": 0,
                "min_interval_minutes": 0,
                "resolve_links": False,  # tests that follow links turn it on, against loopback
                **settings,
            },
            "accounts": [{"id": "acct", "network": "local", "operator": "op"}],
            "feeds": [{"id": "feed", "url": f"{base_url}/feed.rss", "interval_minutes": 5}],
            "routes": routes or [{"feed": "feed", "account": "acct", "template": "{title} {link}"}],
        }
        return config_module.from_mapping(raw, label="test.toml", env={})

    return build
