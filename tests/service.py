"""A small two-operator world for the service tests: a store with accounts, a held entry and tokens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from botwarden import config as config_module
from botwarden.run.loop import Runtime
from botwarden.store.models import QueueRow
from botwarden.store.tokens import create_token
from tests.conftest import rss

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@dataclass
class World:
    config: config_module.Config
    runtime: Runtime
    tokens: dict[str, str]  # "harbour", "valley", "admin"
    held_id: int  # a held entry of the harbour operator
    path: Path


def build_world(tmp_path: Path, **settings: Any) -> World:
    items = {
        "harbour": [
            "Lost dog found at the pier, call +1 202-555-0143",
            "Ferry timetable for the winter season",
        ],
        "valley": ["Road to the valley reopens after the landslide", "Valley market moves to Saturdays"],
    }
    feeds, accounts, routes = [], [], []
    for operator, titles in items.items():
        feed = tmp_path / f"{operator}.xml"
        feed.write_bytes(
            rss(
                *[
                    {
                        "guid": f"{operator}-{n}",
                        "title": t,
                        "link": f"https://{operator}.example/{n}",
                        "pubDate": format_datetime(T0 - timedelta(minutes=n)),
                    }
                    for n, t in enumerate(titles)
                ]
            )
        )
        feeds.append({"id": f"{operator}-feed", "url": str(feed)})
        accounts.append({"id": f"{operator}-news", "network": "local", "operator": operator})
        routes.append(
            {
                "feed": f"{operator}-feed",
                "account": f"{operator}-news",
                "first_run": "all",
                "template": "{title} {link}",
            }
        )
    raw = {
        "settings": {
            "database_url": f"sqlite:///{tmp_path / 'bw.db'}",
            "jitter_seconds": 0,
            "min_interval_minutes": 0,
            "resolve_links": False,
            "dashboard_secret": "s" * 40,
            **settings,
        },
        "accounts": accounts,
        "feeds": feeds,
        "routes": routes,
    }
    config = config_module.from_mapping(raw, label=str(tmp_path / "bw.toml"), env={})
    path = tmp_path / "bw.toml"
    path.write_text("".join(f"{line}\n" for line in _toml(raw)), encoding="utf-8")
    runtime = Runtime(config, env={})
    runtime.run_pass(T0)
    with runtime.sessions.begin() as session:
        held = session.scalar(
            select(QueueRow.id).where(QueueRow.state == "held", QueueRow.account_id == "harbour-news")
        )
        assert held is not None, "the phone number should have held one harbour post (BW801)"
        tokens = {op: create_token(session, op, f"{op} desk", T0)[1] for op in ("harbour", "valley")}
        tokens["admin"] = create_token(session, None, "admin", T0)[1]
    return World(config, runtime, tokens, held, path)


def _toml(raw: dict[str, Any]) -> list[str]:
    import json

    lines = ["[settings]"] + [f"{k} = {json.dumps(v)}" for k, v in raw["settings"].items()]
    for table in ("accounts", "feeds", "routes"):
        for entry in raw[table]:
            lines.append(f"[[{table}]]")
            lines += [f"{k} = {json.dumps(v)}" for k, v in entry.items()]
    return lines


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port in a thread; its base URL."""
    import socket
    import threading
    import time

    import httpx
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{url}/api/v1/health", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
