"""The dashboard's pages in a real headless Chromium: health badges that agree with `botwarden status`, an
account page that shows posts and verdicts with their text, time and reason, the queue page, Resume with a
confirmation and the diagnosis on a locked account, skipped items, and error pages that are pages."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, expect, sync_playwright
from typer.testing import CliRunner

from botwarden.cli.main import app as cli
from botwarden.store import skipped
from botwarden.store.accounts import stop_account
from botwarden.store.events import record
from botwarden.store.models import ItemRow, QueueRow
from botwarden.web import create_app
from tests.service import T0, World, build_world
from tests.test_dashboard import CHROMIUM, FLAGS, SHOTS, _free_port, _log_in


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    # Posts 30 minutes apart: each account has posts waiting for their turn, which is not a problem.
    world = build_world(tmp_path_factory.mktemp("pages"), min_interval_minutes=30)
    SHOTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    app = create_app(world.config, world.runtime.sessions)
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{url}/api/v1/health", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield world, url
    server.should_exit = True
    thread.join(timeout=5)
    world.runtime.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield launched
        launched.close()


def _status(world: World) -> dict[str, str]:
    """What `botwarden status` says of each account: its status column."""
    result = CliRunner().invoke(cli, ["status", "-c", str(world.path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    said = {}
    for line in result.output.splitlines():
        cells = [c.strip() for c in line.split("│")]
        if len(cells) > 4 and cells[1].endswith("-news"):
            said[cells[1]] = cells[3]
    return said


def test_badges_agree_with_status(served: tuple[World, str], browser: Browser) -> None:
    world, url = served
    with world.runtime.sessions() as session:
        waiting = session.query(QueueRow).filter(QueueRow.state == "ready").count()
    assert waiting, "the world should have posts waiting for their turn"
    page = _log_in(browser, url, world.tokens["admin"])
    said = _status(world)
    assert said == {"harbour-news": "ok", "valley-news": "ok"}
    for account, status in said.items():
        expect(page.locator(f"#account-{account} .health")).to_have_text(status)
    page.screenshot(path=SHOTS / "overview-health.png", full_page=True)


def test_an_account_page_shows_posts_and_verdicts_with_text_time_and_reason(
    served: tuple[World, str],
    browser: Browser,
) -> None:
    world, url = served
    page = _log_in(browser, url, world.tokens["harbour"])
    page.goto(f"{url}/accounts/harbour-news")
    held = page.locator(f"#row-{world.held_id}")
    expect(held).to_contain_text("held")
    expect(held.locator(".text")).to_contain_text("Lost dog found at the pier")
    expect(held.locator(".reason")).to_contain_text("phone")
    expect(held.locator("time")).to_have_text("2026-11-24 09:00")
    expect(held.locator("a.code")).to_have_text("BW801")
    posted = page.locator(".entry-row", has_text="Ferry timetable")
    expect(posted).to_contain_text("posted")
    page.screenshot(path=SHOTS / "account-entries.png", full_page=True)


def test_the_queue_page_lists_newest_first_with_more(served: tuple[World, str], browser: Browser) -> None:
    world, url = served
    page = _log_in(browser, url, world.tokens["harbour"])
    page.click("nav >> text=Queue")
    rows = page.locator(".entry-row")
    expect(rows).to_have_count(2)
    ids = [int(r.get_attribute("id").removeprefix("row-")) for r in rows.all()]  # type: ignore[union-attr]
    assert ids == sorted(ids, reverse=True)
    expect(page.locator("body")).not_to_contain_text("valley")
    page.click(".tabs >> text=held")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("BW801")
    page.goto(f"{url}/queue?limit=1")
    expect(rows).to_have_count(1)
    expect(page.locator(".more")).to_contain_text("1 more")
    page.screenshot(path=SHOTS / "queue.png", full_page=True)


def test_a_locked_account_has_resume_with_a_confirmation_and_its_diagnosis(
    served: tuple[World, str],
    browser: Browser,
) -> None:
    world, url = served
    with world.runtime.sessions.begin() as session:
        stop_account(session, "valley-news", "locked", "326: temporarily locked", T0, T0)
        record(session, T0, "account_stopped", "valley-news stopped: locked (326)", account="valley-news")
    assert _status(world)["valley-news"] == "locked"
    page = _log_in(browser, url, world.tokens["valley"])
    expect(page.locator("#account-valley-news .health")).to_contain_text("locked since 2026-11-24 09:00")
    page.click("text=valley-news")
    expect(page.locator(".stopped")).to_contain_text("held (BW904)")
    # The diagnosis of what it posted, with its lock.
    page.click("text=diagnosis")
    expect(page.locator("h1")).to_contain_text("Why was it locked?")
    expect(page.locator("body")).to_contain_text("Locked: valley-news at 2026-11-24 09:00 UTC")
    expect(page.locator("body")).not_to_contain_text("harbour")
    page.go_back()
    # Resume asks first; Cancel leaves it locked.
    page.click("text=Resume…")
    expect(page.locator("h1")).to_have_text("Resume valley-news?")
    page.click("text=Cancel")
    assert _status(world)["valley-news"] == "locked"
    page.click("text=Resume…")
    page.screenshot(path=SHOTS / "resume.png", full_page=True)
    page.click("button:has-text('Yes, resume valley-news')")
    expect(page.locator(".notice")).to_contain_text("valley-news is ok again")
    assert _status(world)["valley-news"] == "ok"
    # Another operator's account has neither page.
    for path in ("/accounts/harbour-news/resume", "/accounts/harbour-news/diagnosis"):
        answer = page.goto(url + path)
        assert answer is not None and answer.status == 404


def test_skipped_items_are_listed_with_their_reason(served: tuple[World, str], browser: Browser) -> None:
    world, url = served
    with world.runtime.sessions.begin() as session:
        item = session.query(ItemRow).filter(ItemRow.feed_id == "harbour-feed").first()
        assert item is not None
        why = "title matches excluded 'lost dog'"
        skipped.skip(session, "harbour-feed->harbour-news", "harbour-news", item.id, "filter", why, T0)
    page = _log_in(browser, url, world.tokens["harbour"])
    page.click("nav >> text=Skipped")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("title matches excluded 'lost dog'")
    page.click(".tabs >> text=too old")
    expect(page.locator("tbody")).to_contain_text("No item was skipped")
    other = _log_in(browser, url, world.tokens["valley"])
    other.goto(f"{url}/skipped")
    expect(other.locator("tbody")).to_contain_text("No item was skipped")


def test_errors_on_pages_are_pages_and_the_apis_stay_json(
    served: tuple[World, str], browser: Browser
) -> None:
    world, url = served
    page = _log_in(browser, url, world.tokens["harbour"])
    for path, says in (
        ("/no/such/page", "Not Found"),
        ("/queue/999999", "no queue entry 999999"),
        ("/rules/BW000", "no rule 'BW000'"),
        ("/queue?show=everything", "no queue view"),
    ):
        answer = page.goto(url + path)
        assert answer is not None and answer.status == 404
        assert answer.headers["content-type"].startswith("text/html")
        expect(page.locator("h1")).to_contain_text("Not found")
        expect(page.locator(".error-page")).to_contain_text(says)
        expect(page.locator("nav")).to_be_visible()  # still inside the dashboard, logged in
    page.screenshot(path=SHOTS / "not-found.png", full_page=True)
    api = httpx.get(
        f"{url}/api/v1/queue/999999", headers={"Authorization": f"Bearer {world.tokens['harbour']}"}
    )
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


def test_the_diagnosis_page_keeps_every_label_inside_its_chart(
    tmp_path_factory: pytest.TempPathFactory, browser: Browser
) -> None:
    """Drawn by Chromium: the lock label at the chart's right edge, and long cluster labels, stay inside
    their charts and clear of the dots (they were clipped and overlapping)."""
    from datetime import timedelta

    from botwarden.diagnose import diagnose, to_html
    from botwarden.diagnose.model import HistoryPost, Lock

    long = "An extraordinarily long headline about the harbour bridge closure and its detours"
    posts = [
        HistoryPost(f"p{n}", "news", "x", T0 + timedelta(hours=5 * n), f"Harbour story number {n} today")
        for n in range(20)
    ]
    last = posts[-1].at
    posts += [
        HistoryPost("c0", "alerts", "x", posts[0].at + timedelta(days=2), posts[0].text),
        HistoryPost("c1", "news", "x", last + timedelta(minutes=1), long),
        HistoryPost("c2", "alerts", "x", last + timedelta(minutes=2), long),
    ]
    report = tmp_path_factory.mktemp("report") / "report.html"
    report.write_text(to_html(diagnose(posts, [Lock(last + timedelta(minutes=3), "news")], sources=["t"])))
    page = browser.new_page()
    page.goto(report.as_uri())
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('svg')].map(svg => ({
            label: svg.getAttribute('aria-label'), width: svg.viewBox.baseVal.width,
            texts: [...svg.querySelectorAll(':scope > text')].map(t => {
                const b = t.getBBox(); return {text: t.textContent, left: b.x, right: b.x + b.width};
            }),
        }))"""
    )
    locks = [t for svg in boxes for t in svg["texts"] if t["text"] == "locked"]
    assert locks and all(t["left"] >= 0 and t["right"] <= 1000 for t in locks)
    [clusters] = [svg for svg in boxes if svg["label"] == "duplicate clusters"]
    labels = [t for t in clusters["texts"] if t["left"] < 20]
    assert labels and all(t["right"] < 224 for t in labels), labels  # the first dot's edge is at 224
    assert all(t["right"] <= clusters["width"] for t in clusters["texts"])
    page.screenshot(path=SHOTS / "diagnosis.png", full_page=True)


def test_approving_a_post_of_a_stopped_account_says_it_stays_held(
    served: tuple[World, str], browser: Browser
) -> None:
    world, url = served
    from botwarden.store.accounts import pause_account

    with world.runtime.sessions.begin() as session:
        pause_account(session, "harbour-news", "paused by a test", T0)
    page = _log_in(browser, url, world.tokens["harbour"])
    page.click("nav >> text=Review")
    page.locator(f"#entry-{world.held_id} button", has_text="Approve").click()
    notice = page.locator(".notice")
    expect(notice).to_contain_text("still held")
    expect(notice).to_contain_text("harbour-news is paused (BW904)")
    expect(page.locator(f"#entry-{world.held_id}")).to_have_count(1)  # not reported as approved and gone
    with world.runtime.sessions() as session:
        assert session.get_one(QueueRow, world.held_id).state == "held"
