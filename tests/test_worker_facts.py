"""What the worker learns before it checks a post: where its link really goes (the resolver, over real
HTTP on loopback), blocklists, trends, the consent ledger and what the operator's accounts posted."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from botwarden.config import Config
from botwarden.demo.server import FeedServer
from botwarden.run.loop import Runtime
from botwarden.store.consent import ConsentStore
from botwarden.store.models import LinkChainRow, LocalPostRow, QueueRow, VerdictRow

from .conftest import Site, rss

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def ad_host() -> Iterator[tuple[Site, FeedServer]]:
    """A second host on loopback (127.0.0.2) that plays an ad interstitial."""
    documents = Site()
    with FeedServer(documents, host="127.0.0.2") as server:
        yield documents, server


def verdicts(runtime: Runtime) -> dict[str, tuple[str, list[str], list[dict[str, Any]]]]:
    """Per queue entry text's first words: (queue state, codes, findings)."""
    with runtime.sessions() as session:
        out = {}
        for entry in session.scalars(select(QueueRow).order_by(QueueRow.id)):
            verdict = session.scalars(
                select(VerdictRow).where(VerdictRow.queue_id == entry.id).order_by(VerdictRow.id.desc())
            ).first()
            assert verdict is not None
            out[entry.text.split(" http")[0]] = (entry.state, verdict.codes, verdict.findings)
        return out


def posted(runtime: Runtime) -> list[str]:
    with runtime.sessions() as session:
        return list(session.scalars(select(LocalPostRow.text).order_by(LocalPostRow.id)))


def test_a_link_through_an_ad_page_is_denied_and_a_clean_one_posts(
    site, ad_host, make_config: Callable[..., Config]
) -> None:
    docs, server = site
    ads, ad_server = ad_host
    base, ad_base = server.base_url, ad_server.base_url
    docs.put("/news/ferry", b"<html>article</html>", "text/html")
    docs.put("/news/fair", b"<html>article</html>", "text/html")
    docs.redirect("/out/ferry", f"{ad_base}/ad?to=ferry")
    ads.redirect("/ad?to=ferry", f"{base}/news/ferry")
    docs.put(
        "/feed.rss",
        rss(
            {"guid": "1", "title": "Ferry timetable changes", "link": f"{base}/out/ferry"},
            {"guid": "2", "title": "Harbour fair this weekend", "link": f"{base}/news/fair"},
        ),
    )
    cfg = make_config(
        base,
        allow_hosts=["127.0.0.1", "127.0.0.2"],
        resolve_links=True,
        interstitial_hosts=["127.0.0.2"],
        first_run="all",
    )
    runtime = Runtime(cfg, rng=random.Random(1))
    report = runtime.run_pass(T0)
    assert report.ingest.links_resolved == 2
    seen = verdicts(runtime)
    state, codes, findings = seen["Ferry timetable changes"]
    assert state == "denied" and "BW301" in codes
    bw301 = next(f for f in findings if f["code"] == "BW301")
    assert bw301["evidence"]["hop"] == f"{ad_base}/ad?to=ferry"
    assert bw301["evidence"]["chain"][-1] == f"{base}/news/ferry"
    assert seen["Harbour fair this weekend"][0] == "sent"
    assert posted(runtime) == [f"Harbour fair this weekend {base}/news/fair"]
    with runtime.sessions() as session:
        chain = session.get_one(LinkChainRow, f"{base}/out/ferry")
        assert chain.chain == [f"{base}/out/ferry", f"{ad_base}/ad?to=ferry", f"{base}/news/ferry"]

    # The chain is cached: the next pass does not ask the link again.
    asked = len(ad_server.requests)
    docs.put("/feed.rss", rss({"guid": "1", "title": "Ferry timetable changes", "link": f"{base}/out/ferry"}))
    runtime.run_pass(T0.replace(hour=9))
    assert len(ad_server.requests) == asked
    runtime.close()


def test_a_link_landing_on_a_blocklisted_host_is_denied(
    site, ad_host, make_config: Callable[..., Config], tmp_path: Path
) -> None:
    docs, server = site
    ads, ad_server = ad_host
    ads.put("/prize", b"win", "text/html")
    docs.redirect("/out/prize", f"{ad_server.base_url}/prize")
    docs.put("/feed.rss", rss({"guid": "1", "title": "You won", "link": f"{server.base_url}/out/prize"}))
    blocklist = tmp_path / "hosts"
    blocklist.write_text("0.0.0.0 127.0.0.2\n")
    cfg = make_config(
        server.base_url,
        allow_hosts=["127.0.0.1", "127.0.0.2"],
        resolve_links=True,
        blocklist_files=[str(blocklist)],
    )
    runtime = Runtime(cfg, rng=random.Random(1))
    runtime.run_pass(T0)
    state, codes, _ = verdicts(runtime)["You won"]
    assert state == "denied" and "BW303" in codes
    assert posted(runtime) == []
    runtime.close()


def test_a_trending_category_hashtag_is_dropped_and_a_trending_word_denies(
    site, make_config: Callable[..., Config], tmp_path: Path
) -> None:
    docs, server = site
    trends = tmp_path / "trends.json"
    trends.write_text(json.dumps({"local": ["#Harbour", "ferry strike"]}))
    docs.put(
        "/feed.rss",
        rss(
            {
                "guid": "1",
                "title": "Fish market reopens",
                "link": "https://e.org/1",
                "category": "Harbour,Food",
            },
            {"guid": "2", "title": "Ferry strike called off", "link": "https://e.org/2"},
        ),
    )
    cfg = make_config(
        server.base_url,
        routes=[{"feed": "feed", "account": "acct", "template": "{title} {link} {hashtags}"}],
        trends_file=str(trends),
        first_run="all",
    )
    runtime = Runtime(cfg, rng=random.Random(1))
    runtime.run_pass(T0)
    assert posted(runtime) == ["Fish market reopens https://e.org/1 #Food"]
    seen = verdicts(runtime)
    _, codes, findings = seen["Fish market reopens"]
    assert "BW201" not in codes  # info only: the post went out without the tag
    assert any(
        f["code"] == "BW201" and f["severity"] == "info" and "#Harbour" in f["message"] for f in findings
    )
    state, codes, _ = seen["Ferry strike called off"]
    assert state == "denied" and codes == ["BW201"]
    runtime.close()


def test_the_worker_reads_the_consent_ledger_from_the_store(site, make_config: Callable[..., Config]) -> None:
    _docs, server = site
    runtime = Runtime(make_config(server.base_url), rng=random.Random(1))
    with runtime.sessions.begin() as session:
        ledger = ConsentStore(session, recorded_by="test", now=T0)
        ledger.inbound("acct", "@Reader", "please send me the tide times", T0, "dm", interaction="m1")
        ledger.inbound("acct", "@Other", "STOP", T0, "dm")
    runtime.publisher.run(T0)
    standing = runtime.publisher.facts.ledger.standing("acct", "reader", T0)
    assert [o.via for o in standing.asked] == ["dm"] and standing.opted_out_at is None
    assert runtime.publisher.facts.ledger.standing("acct", "other", T0).opted_out_at == T0
    # A line recorded later is seen on the next pass (the ledger is read again when it has grown).
    later = T0.replace(hour=9)
    with runtime.sessions.begin() as session:
        ConsentStore(session, recorded_by="test", now=later).opt_out("acct", "reader", later)
    runtime.publisher.run(later)
    assert runtime.publisher.facts.ledger.standing("acct", "reader", later).opted_out_at == later
    runtime.close()


STORIES = [
    ("Ferry timetable changes from Monday as winter schedule begins",
     "Winter schedule begins Monday with changes to the ferry timetable"),
    ("Lifeboat crew rescues two kayakers off Gull Point after capsize",
     "Two kayakers rescued by lifeboat crew off Gull Point after they capsized"),
    ("Council approves new cycle lane on Quay Road despite objections",
     "New Quay Road cycle lane approved by council despite objections"),
    ("Harbour fair opens Saturday with a record number of stalls",
     "Record number of stalls as the harbour fair opens on Saturday"),
    ("Storm warning for the whole coast tonight, sailings cancelled",
     "Sailings cancelled tonight as storm warning covers the whole coast"),
]  # fmt: skip


def test_undeclared_sources_are_noted_and_accounts_telling_the_same_stories_look_duplicative(
    site, make_config: Callable[..., Config], tmp_path: Path
) -> None:
    from datetime import timedelta

    from botwarden.similarity import text_hash
    from botwarden.store.models import HistoryRow

    docs, server = site
    docs.put("/feed.rss", rss({"guid": "1", "title": "Story", "link": "https://e.org/1"}))
    raw = make_config(server.base_url).bot.model_dump()
    raw["accounts"].append({"id": "twin", "network": "local", "operator": "op"})
    from botwarden.config import from_mapping

    runtime = Runtime(from_mapping(raw, label="t", env={}), rng=random.Random(1))
    with runtime.sessions.begin() as session:  # a day of both accounts telling the same stories
        for n, (mine, theirs) in enumerate(STORIES):
            at = T0 - timedelta(hours=20 - n)
            for account, text in (("acct", mine), ("twin", theirs)):
                session.add(HistoryRow(account_id=account, at=at, text=text, text_hash=text_hash(text)))
    runtime.run_pass(T0)
    _, _, findings = verdicts(runtime)["Story"]
    # Setup and attest rules are reported on the actions as info, not as a decision.
    noted = {f["code"]: f for f in findings}
    assert noted["BW955"]["severity"] == noted["BW956"]["severity"] == "info"
    assert noted["BW955"]["evidence"]["other"] == "twin" and noted["BW955"]["evidence"]["share"] == 1.0
    assert noted["BW956"]["evidence"]["sources"] == ["e.org"]
    runtime.close()

    raw["feeds"][0]["republish_declared_by"] = "ed@harbour.example"
    raw["accounts"].pop()
    raw["settings"]["database_url"] = f"sqlite:///{tmp_path / 'second.db'}"
    runtime = Runtime(from_mapping(raw, label="t", env={}), rng=random.Random(1))
    runtime.run_pass(T0)
    assert not {"BW955", "BW956"} & {f["code"] for f in verdicts(runtime)["Story"][2]}
    runtime.close()


def test_the_worker_applies_a_routes_rule_overrides(site, make_config: Callable[..., Config]) -> None:
    docs, server = site
    docs.put("/feed.rss", rss({"guid": "1", "title": "Story", "link": "https://e.org/1"}))
    raw = make_config(server.base_url).bot.model_dump()
    raw["routes"][0]["rules"] = {"unauthorised-source": "hold"}
    from botwarden.config import from_mapping

    runtime = Runtime(from_mapping(raw, label="t", env={}), rng=random.Random(1))
    runtime.run_pass(T0)
    state, codes, findings = verdicts(runtime)["Story"]
    assert state == "held" and codes == ["BW956"]
    (noted,) = [f for f in findings if f["code"] == "BW956"]
    route = raw["routes"][0]
    assert noted["message"].endswith(f"[info → hold by route {route['feed']}->{route['account']}]")
    assert posted(runtime) == []
    runtime.close()
