"""A check fails closed: an error while its facts are gathered (link chains, trends, the account's state,
the consent ledger, the request budgets, the operator's accounts, the post's text, the rules themselves)
holds the post with a BW999 finding that names the error. Never an allow, never a traceback, and the
other posts of the pass are checked with their own facts as usual."""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from botwarden.config import Config
from botwarden.demo.server import FeedServer
from botwarden.run.ingest import Ingestor
from botwarden.run.loop import Runtime
from botwarden.store.consent import ConsentStore
from botwarden.store.models import ConsentRow, LinkChainRow, LocalPostRow, QueueRow, VerdictRow
from botwarden.web import create_app
from tests.service import T0 as SERVICE_T0
from tests.service import build_world

from .conftest import Site, rss

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
LONG_LABEL = "a" * 64


@pytest.fixture
def ad_host() -> Iterator[tuple[Site, FeedServer]]:
    """A second host on loopback (127.0.0.2) that plays an ad interstitial."""
    documents = Site()
    with FeedServer(documents, host="127.0.0.2") as server:
        yield documents, server


def entries(runtime: Runtime) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """Each entry's item title: (state, the latest verdict's findings)."""
    from botwarden.store.models import ItemRow

    with runtime.sessions() as session:
        out = {}
        for entry in session.scalars(select(QueueRow).order_by(QueueRow.id)):
            verdict = session.scalars(
                select(VerdictRow).where(VerdictRow.queue_id == entry.id).order_by(VerdictRow.id.desc())
            ).first()
            title = session.get_one(ItemRow, entry.item_id).title
            out[title] = (entry.state, verdict.findings if verdict else [])
        return out


def posted(runtime: Runtime) -> list[str]:
    with runtime.sessions() as session:
        return list(session.scalars(select(LocalPostRow.text).order_by(LocalPostRow.id)))


def held_naming(state: str, findings: list[dict[str, Any]], *words: str) -> bool:
    """Held, with a BW999 hold whose message names every one of ``words``."""
    return state == "held" and any(
        f["code"] == "BW999" and f["severity"] == "hold" and all(w in f["message"] for w in words)
        for f in findings
    )


def _ad_feed(docs: Site, base: str, ad_base: str, ads: Site, *extra: dict[str, str]) -> None:
    docs.put("/news/fair", b"<html>article</html>", "text/html")
    docs.redirect("/out/fair", f"{ad_base}/ad?to=fair")
    ads.redirect("/ad?to=fair", f"{base}/news/fair")
    docs.put("/news/tide", b"<html>article</html>", "text/html")
    docs.put(
        "/feed.rss",
        rss(
            {"guid": "1", "title": "Harbour fair this weekend", "link": f"{base}/out/fair"},
            {"guid": "2", "title": "Tide tables for May", "link": f"{base}/news/tide"},
            *extra,
        ),
    )


def _link_config(make_config: Callable[..., Config], base: str) -> Config:
    return make_config(
        base,
        allow_hosts=["127.0.0.1", "127.0.0.2"],
        resolve_links=True,
        interstitial_hosts=["127.0.0.2"],
        first_run="all",
    )


def test_a_link_with_an_invalid_host_is_held_and_the_post_beside_it_is_still_judged(
    site, ad_host, make_config: Callable[..., Config]
) -> None:
    (docs, server), (ads, ad_server) = site, ad_host
    bad = {"guid": "3", "title": "Broken link story", "link": f"http://{LONG_LABEL}.example.org/story"}
    _ad_feed(docs, server.base_url, ad_server.base_url, ads, bad)
    runtime = Runtime(_link_config(make_config, server.base_url), rng=random.Random(1))
    runtime.run_pass(T0)  # no traceback: the pass carries on
    seen = entries(runtime)
    assert held_naming(*seen["Broken link story"], "over 63 characters")
    state, findings = seen["Harbour fair this weekend"]
    assert state == "denied" and "BW301" in {f["code"] for f in findings}
    assert posted(runtime) == [f"Tide tables for May {server.base_url}/news/tide"]
    runtime.close()


def test_links_a_dead_pass_never_resolved_are_resolved_before_their_posts_are_checked(
    site, ad_host, make_config: Callable[..., Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pass dies after the feed is stored and before its links are followed (as `run --once` did on
    an invalid host name); the next pass, with no feed due, follows them before anything is checked."""
    (docs, server), (ads, ad_server) = site, ad_host
    _ad_feed(docs, server.base_url, ad_server.base_url, ads)
    runtime = Runtime(_link_config(make_config, server.base_url), rng=random.Random(1))

    def dies(_self: Ingestor, links: list[str], _now: datetime) -> list[str]:
        if links:
            raise SystemExit("killed before following the links")
        return []

    with monkeypatch.context() as patch:
        patch.setattr(Ingestor, "_stale", dies)
        with pytest.raises(SystemExit):
            runtime.run_pass(T0)
    assert posted(runtime) == [] and {s for s, _ in entries(runtime).values()} == {"pending"}
    with runtime.sessions() as session:
        assert session.scalars(select(LinkChainRow)).all() == []

    report = runtime.run_pass(T0 + timedelta(minutes=1))  # the feed is not due: only the waiting links
    assert report.ingest.fetched == 0 and report.ingest.links_resolved == 2
    state, findings = entries(runtime)["Harbour fair this weekend"]
    assert state == "denied" and "BW301" in {f["code"] for f in findings}
    assert posted(runtime) == [f"Tide tables for May {server.base_url}/news/tide"]
    runtime.close()


def test_a_resolver_fault_on_one_link_holds_that_post_only(
    site, ad_host, make_config: Callable[..., Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    from botwarden.links import resolve

    (docs, server), (ads, ad_server) = site, ad_host
    docs.put("/news/cursed", b"<html>article</html>", "text/html")
    cursed = {"guid": "3", "title": "Cursed story", "link": f"{server.base_url}/news/cursed"}
    _ad_feed(docs, server.base_url, ad_server.base_url, ads, cursed)
    real = resolve._next_hop

    async def faulty(client: Any, url: str, *args: Any) -> str | None:
        if "cursed" in url:
            raise UnicodeError("label empty or too long")
        return await real(client, url, *args)

    monkeypatch.setattr(resolve, "_next_hop", faulty)
    runtime = Runtime(_link_config(make_config, server.base_url), rng=random.Random(1))
    runtime.run_pass(T0)
    seen = entries(runtime)
    assert held_naming(*seen["Cursed story"], "UnicodeError: label empty or too long")
    assert seen["Harbour fair this weekend"][0] == "denied"
    assert posted(runtime) == [f"Tide tables for May {server.base_url}/news/tide"]
    runtime.close()


def _corrupt_ledger(runtime: Runtime) -> Callable[[], None]:
    with runtime.sessions.begin() as session:
        ConsentStore(session, recorded_by="test", now=T0).consent(
            "acct", "owner", T0, actions=["post"], purpose_version="1"
        )
    with runtime.sessions.begin() as session:
        session.execute(update(ConsentRow).values(actions=5))  # a line no ledger can replay

    def mend() -> None:
        with runtime.sessions.begin() as session:
            session.execute(update(ConsentRow).values(actions=["post"]))

    return mend


def _fails(target: Any, name: str, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """``target.name`` raises (the fault injected) until the returned function mends it (callers that
    kept a reference to it, as the engine keeps its rules' checks, see it mended too)."""
    original = getattr(target, name)
    broken = [True]

    def faulty(*args: Any, **kwargs: Any) -> Any:
        if broken[0]:
            raise RuntimeError(f"{name} broke")
        return original(*args, **kwargs)

    def mend() -> None:
        broken[0] = False

    monkeypatch.setattr(target, name, faulty)
    return mend


def _fault(
    source: str, runtime: Runtime, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[[], None]:
    """Break one fact source; returns how to mend it."""
    from botwarden.links.judge import LinkJudge
    from botwarden.rules.builtin import links
    from botwarden.run import publish
    from botwarden.store import accounts

    trends = tmp_path / "trends.txt"
    if source == "the trends":  # the file is not there
        return lambda: trends.write_text("nothing trends\n")
    trends.write_text("nothing trends\n")
    if source == "the consent ledger":
        return _corrupt_ledger(runtime)
    if source == "the request budgets":
        return _fails(accounts, "known_budgets", monkeypatch)
    if source == "the operator's accounts":
        return _fails(accounts, "fleet", monkeypatch)
    if source == "the state of account acct":
        return _fails(accounts, "stored_account_info", monkeypatch)
    if source == "the link chain":
        return _fails(LinkJudge, "facts", monkeypatch)
    if source == "the rules":
        return _fails(links.ShortenerLink, "check", monkeypatch)
    assert source == "the post's text"
    return _fails(publish, "plan_post", monkeypatch)


SOURCES = [
    ("the consent ledger", "TypeError"),
    ("the trends", "cannot read it"),
    ("the request budgets", "known_budgets broke"),
    ("the operator's accounts", "fleet broke"),
    ("the state of account acct", "stored_account_info broke"),
    ("the link chain", "facts broke"),
    ("the rules", "check broke"),
    ("the post's text", "plan_post broke"),
]


@pytest.mark.parametrize(("source", "error"), SOURCES)
def test_a_fault_in_each_fact_source_holds_the_post_until_it_reads_again(
    site,
    make_config: Callable[..., Config],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    source: str,
    error: str,
) -> None:
    docs, server = site
    docs.put("/news/1", b"<html>article</html>", "text/html")
    docs.put("/feed.rss", rss({"guid": "1", "title": "First story", "link": f"{server.base_url}/news/1"}))
    config = make_config(server.base_url, resolve_links=True, trends_file=str(tmp_path / "trends.txt"))
    runtime = Runtime(config, rng=random.Random(1))
    mend = _fault(source, runtime, monkeypatch, tmp_path)
    runtime.run_pass(T0)
    state, findings = entries(runtime)["First story"]
    assert held_naming(state, findings, source, error), findings
    assert posted(runtime) == []

    mend()  # the source reads again: the next post is checked as usual and goes out
    docs.put("/news/2", b"<html>article</html>", "text/html")
    docs.put(
        "/feed.rss",
        rss(
            {"guid": "2", "title": "Second story", "link": f"{server.base_url}/news/2"},
            {"guid": "1", "title": "First story", "link": f"{server.base_url}/news/1"},
        ),
    )
    runtime.run_pass(T0 + timedelta(minutes=10))
    assert entries(runtime)["Second story"][0] == "sent"
    assert entries(runtime)["First story"][0] == "held"  # held stays held: a person looks
    runtime.close()


CHECK = {
    "type": "action",
    "id": "c1",
    "kind": "post",
    "account": "harbour-news",
    "at": SERVICE_T0.replace(hour=10).isoformat(),
    "text": "Harbour festival this weekend with boat parades",
}


@pytest.mark.parametrize("name", ["load_ledger", "known_budgets", "fleet", "stored_account_info"])
def test_the_http_check_holds_when_a_fact_cannot_be_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    from botwarden.store import accounts, consent

    world = build_world(tmp_path)
    client = TestClient(create_app(world.config, world.runtime.sessions), raise_server_exceptions=False)
    harbour = {"Authorization": f"Bearer {world.tokens['harbour']}"}
    mend = _fails(consent if name == "load_ledger" else accounts, name, monkeypatch)
    answer = client.post("/api/v1/check", json=CHECK, headers=harbour)
    assert answer.status_code == 200, answer.text
    verdict = answer.json()
    assert verdict["decision"] == "hold" and verdict["codes"] == ["BW999"]
    assert f"{name} broke" in verdict["findings"][0]["message"]
    # Another operator still learns nothing of the account, fault or not.
    valley = {"Authorization": f"Bearer {world.tokens['valley']}"}
    assert client.post("/api/v1/check", json=CHECK, headers=valley).status_code == 404
    mend()  # read again at the next check, not a second later: a fault is never kept waiting
    assert client.post("/api/v1/check", json=CHECK, headers=harbour).json()["decision"] == "allow"
    world.runtime.close()


def test_run_once_holds_an_invalid_link_without_a_traceback(site, ad_host, tmp_path: Path) -> None:
    (docs, server), (ads, ad_server) = site, ad_host
    bad = {"guid": "3", "title": "Broken link story", "link": f"https://{LONG_LABEL}.example.org/x"}
    _ad_feed(docs, server.base_url, ad_server.base_url, ads, bad)
    config = tmp_path / "bw.toml"
    config.write_text(
        f"""[settings]
database_url = "sqlite:///{tmp_path / "bw.db"}"
allow_hosts = ["127.0.0.1", "127.0.0.2"]
interstitial_hosts = ["127.0.0.2"]
resolve_links = true
min_interval_minutes = 0
[[accounts]]
id = "acct"
network = "local"
[[feeds]]
id = "feed"
url = "{server.base_url}/feed.rss"
[[routes]]
feed = "feed"
account = "acct"
first_run = "all"
template = "{{title}} {{link}}"
"""
    )
    done = subprocess.run(
        [sys.executable, "-m", "botwarden", "run", "--once", "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "200"},
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0 and "Traceback" not in output, output
    assert "posted 1" in output and "held 1" in output and "denied 1" in output, output
