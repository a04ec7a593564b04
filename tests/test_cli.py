"""The command line: set-up, one pass, the read commands, and errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from botwarden.cli.main import app

from .conftest import ROOT, rss

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def write_config(tmp_path: Path, feed_url: str) -> Path:
    path = tmp_path / "bw.toml"
    code, _ = invoke("init", str(path))
    assert code == 0
    text = path.read_text().replace("https://example.org/news/rss.xml", feed_url)
    text = text.replace('"sqlite:///botwarden.db"', f'"sqlite:///{tmp_path / "bw.db"}"')
    text = text.replace('# allow_hosts = ["127.0.0.1"]', 'allow_hosts = ["127.0.0.1"]')
    text = text.replace("resolve_links = true", "resolve_links = false")  # no lookups of e.org from tests
    path.write_text(text)
    return path


def test_init_run_once_status_queue_timeline(site, tmp_path: Path) -> None:
    docs, server = site
    docs.put(
        "/feed.rss",
        rss({"guid": "1", "title": "Hello town", "link": "https://e.org/1", "category": "Local news"}),
    )
    config = write_config(tmp_path, server.base_url + "/feed.rss")
    code, output = invoke("run", "--once", "-c", str(config))
    assert code == 0, output
    assert "posted 1" in output
    code, output = invoke("timeline", "-c", str(config))
    assert "Hello town https://e.org/1 #LocalNews" in output
    code, output = invoke("status", "-c", str(config))
    assert code == 0 and "city-news" in output and "city-rss" in output
    code, output = invoke("queue", "-c", str(config), "--format", "json")
    assert code == 0 and '"state": "sent"' in output


def test_preview_posts_nothing(site, tmp_path: Path) -> None:
    docs, server = site
    docs.put("/feed.rss", rss({"guid": "1", "title": "Preview me", "link": "https://e.org/p"}))
    config = write_config(tmp_path, server.base_url + "/feed.rss")
    code, output = invoke("preview", "-c", str(config))
    assert code == 0, output
    assert "Preview me https://e.org/p" in output and "/500 on local" in output
    assert not (tmp_path / "bw.db").exists()


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "bw.toml"
    path.write_text("mine")
    code, _ = invoke("init", str(path))
    assert code != 0 and path.read_text() == "mine"


def test_rules_and_explain() -> None:
    code, output = invoke("rules", "--format", "json")
    assert code == 0
    catalogue = json.loads(output)
    assert {"BW101", "BW903", "BW906", "BW907"} <= {rule["code"] for rule in catalogue}
    code, output = invoke("explain", "duplicate-post")
    assert code == 0 and "BW101" in output and "Enforces:" in output
    # with its worked examples from the golden scenarios: a caught one with its finding, a passed one
    assert "Caught (deny): BREAKING: Ferry cancelled today!" in output
    assert "BW101: the same text was posted by news" in output and "Not caught (allow)" in output


def test_settings_lists_env_vars() -> None:
    code, output = invoke("settings")
    assert code == 0 and "BOTWARDEN_DATABASE_URL" in output


def test_accounts_resume_releases_held_posts(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from botwarden.store import make_engine, migrate, session_factory
    from botwarden.store.models import AccountRow, FeedRow, ItemRow, QueueRow, RouteRow

    url = f"sqlite:///{tmp_path / 'r.db'}"
    engine = make_engine(url)
    migrate(engine)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with session_factory(engine).begin() as session:
        session.add(
            AccountRow(
                id="a", network="local", operator="o", status="locked", status_since=now, status_reason="326"
            )
        )
        session.add(FeedRow(id="f", url="u", title="", error_streak=0, last_status="", last_error=""))
        session.flush()
        session.add(RouteRow(id="f->a", feed_id="f", account_id="a"))
        session.add(
            ItemRow(
                id=1,
                feed_id="f",
                identity="i",
                content_hash="h",
                title="t",
                link="l",
                categories=[],
                first_seen_at=now,
            )
        )
        session.flush()
        session.add(
            QueueRow(
                route_id="f->a",
                item_id=1,
                account_id="a",
                state="held",
                not_before=now,
                created_at=now,
                updated_at=now,
                idempotency_key="k",
                attempts=0,
                was_delayed=0,
                last_error="",
            )
        )
    code, output = invoke("accounts", "resume", "a", "--database", url)
    assert code == 0 and "1 held post(s)" in output
    with session_factory(engine)() as session:
        assert session.get_one(AccountRow, "a").status == "ok"
        assert session.get_one(QueueRow, 1).state == "ready"


def test_user_errors_have_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[accounts]]\nid = "a"\nnetwork = "myspace"\n')
    done = subprocess.run(
        [sys.executable, "-m", "botwarden", "run", "--once", "-c", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert "accounts[0].network" in done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "botwarden", "explain", "BW000"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "no rule 'BW000'" in done.stderr and "Traceback" not in done.stderr


def test_the_command_line_starts_without_the_store_or_the_network_clients() -> None:
    # `botwarden --help` and the quick commands should not wait for SQLAlchemy, pydantic or httpx.
    heavy = {"sqlalchemy", "pydantic", "httpx", "numpy", "fastapi"}
    code = (
        f"import sys, botwarden.cli.main; print(sorted({{m.split('.')[0] for m in sys.modules}} & {heavy!r}))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout
    shown = subprocess.run(
        [sys.executable, "-m", "botwarden", "--help"], capture_output=True, text=True, check=True
    )
    assert "accounts" in shown.stdout and "check" in shown.stdout


def test_check_as_text_shows_the_post_a_duplicate_matched() -> None:
    scenario = ROOT / "tests" / "scenarios" / "BW103-cross-account-duplicate.jsonl"
    code, output = invoke("check", "--replay", str(scenario))
    assert code == 0, output
    assert "matched: north at 2026-03-21T09:00:00+00:00: Storm warning for the whole coast tonight" in output


def test_explain_shows_what_the_configuration_set_the_rule_to(tmp_path: Path) -> None:
    path = tmp_path / "bw.toml"
    path.write_text(
        '[[accounts]]\nid = "wx"\nnetwork = "local"\nrules = { BW105 = "ignore" }\n'
        '[[feeds]]\nid = "hourly"\nurl = "https://e.org/rss"\n'
        '[[routes]]\nfeed = "hourly"\naccount = "wx"\nrules = { near-duplicate-post = "warn" }\n'
    )
    code, output = invoke("explain", "BW102", "--config", str(path))
    assert code == 0 and "set by the operator" in output and "route hourly->wx: warn" in output
    code, output = invoke("explain", "BW105", "--config", str(path))
    assert "account wx: ignore" in output
    code, output = invoke("explain", "BW101", "--config", str(path))
    assert "set by the operator" not in output
