"""Setup without hand-editing, in a real headless Chromium: add a feed and route it, change a route's
filters and a feed's interval. The configuration file stays the source of truth: each change is written
back to it with its comments kept, checked by the same validation as the file (a bad one is refused and
the file left as it was), and another operator can neither see nor change what is not theirs."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from email.utils import format_datetime

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from botwarden import config as config_module
from botwarden.web import create_app
from tests.conftest import rss
from tests.service import T0, World, build_world
from tests.test_dashboard import CHROMIUM, FLAGS, SHOTS, _free_port, _log_in

COMMENT = "# Kept by hand: the harbour desk's feeds. Do not remove this line."


@pytest.fixture
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    folder = tmp_path_factory.mktemp("setup")
    # Built in a thread of its own: the browser's driver runs an event loop on this one, and a pass
    # runs its fetches with asyncio.run.
    with ThreadPoolExecutor(1) as pool:
        world = pool.submit(build_world, folder).result()
    world.path.write_text(COMMENT + "\n" + world.path.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "tides.xml").write_bytes(
        rss(
            {
                "guid": "t1",
                "title": "High tide at 14:02",
                "link": "https://tides.example/1",
                "pubDate": format_datetime(T0),
            }
        )
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    # Served from the file, as `botwarden serve` does.
    config = config_module.load(world.path, env={})
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(config, world.runtime.sessions), port=port, log_level="warning")
    )
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


def _add(page: Page, url: str, feed: str, template: str = "") -> None:
    page.goto(f"{url}/feeds")
    page.fill("#url", feed)
    page.select_option("#account", "harbour-news")
    page.fill("#template", template)
    page.click("#add-feed button[type=submit]")


def test_a_feed_is_added_and_routed_and_the_file_keeps_its_comments(
    served: tuple[World, str], browser: Browser
) -> None:
    world, url = served
    tides = str(world.path.parent / "tides.xml")
    page = _log_in(browser, url, world.tokens["harbour"])
    # A template without {link} is refused with the file's own message, and nothing is written.
    before = world.path.read_text(encoding="utf-8")
    _add(page, url, tides, template="{title}")
    expect(page.locator("#add-feed .error")).to_contain_text("must contain {link}")
    expect(page.locator("#url")).to_have_value(tides)  # what was typed is kept
    assert world.path.read_text(encoding="utf-8") == before
    page.screenshot(path=SHOTS / "feeds-refused.png", full_page=True)
    _add(page, url, tides, template="{title} {link}")
    expect(page.locator(".notice")).to_contain_text("->harbour-news added")
    written = world.path.read_text(encoding="utf-8")
    assert written.startswith(COMMENT + "\n")
    loaded = config_module.load(world.path, env={})  # what `botwarden run` will read
    [route] = [r for r in loaded.routes.values() if loaded.feeds[r.feed].url == tides]
    assert route.account == "harbour-news" and route.template == "{title} {link}"
    expect(page.locator(f"#route-{route.feed}\\-\\>harbour-news")).to_be_visible()
    # The store knows the route at once, so that the feeds page and the API list it.
    api = httpx.get(f"{url}/api/v1/routes", headers={"Authorization": f"Bearer {world.tokens['harbour']}"})
    assert route.id in {r["id"] for r in api.json()}
    page.screenshot(path=SHOTS / "feeds-added.png", full_page=True)


def test_a_routes_filters_are_changed_with_the_files_validation(
    served: tuple[World, str], browser: Browser
) -> None:
    world, url = served
    page = _log_in(browser, url, world.tokens["harbour"])
    page.goto(f"{url}/feeds")
    page.click("#route-harbour-feed\\-\\>harbour-news >> text=Edit")
    expect(page.locator("h1")).to_contain_text("harbour-feed → harbour-news")
    before = world.path.read_text(encoding="utf-8")
    page.fill("#exclude", "title: /(unclosed/")
    page.click("#edit-route button[type=submit]")
    expect(page.locator("#edit-route .error")).to_contain_text("not a valid regular expression")
    assert world.path.read_text(encoding="utf-8") == before
    page.fill("#exclude", "title: /^lost dog/\ncategories: !Local")
    page.fill("#include", "")
    page.fill("#max_age_hours", "48")
    page.fill("#burst_max", "0")
    page.click("#edit-route button[type=submit]")
    expect(page.locator("#edit-route .error")).to_contain_text("pacing.burst_max")
    page.fill("#burst_max", "2")
    page.click("#edit-route button[type=submit]")
    expect(page.locator(".notice")).to_contain_text("harbour-feed->harbour-news changed")
    route = config_module.load(world.path, env={}).routes["harbour-feed->harbour-news"]
    assert route.filters.exclude == {"title": ["/^lost dog/"], "categories": ["!Local"]}
    assert route.filters.max_age_hours == 48 and route.pacing.burst_max == 2
    assert world.path.read_text(encoding="utf-8").startswith(COMMENT)
    page.goto(f"{url}/routes/harbour-feed-%3Eharbour-news/edit")
    expect(page.locator("#exclude")).to_have_value("title: /^lost dog/\ncategories: !Local")
    page.screenshot(path=SHOTS / "route-edit.png", full_page=True)


def test_a_feeds_interval_is_changed(served: tuple[World, str], browser: Browser) -> None:
    world, url = served
    page = _log_in(browser, url, world.tokens["harbour"])
    page.goto(f"{url}/feeds")
    page.click("#feed-harbour-feed >> text=Edit")
    page.fill("#interval_minutes", "0")
    page.click("#edit-feed button[type=submit]")
    expect(page.locator("#edit-feed .error")).to_contain_text("interval_minutes")
    page.fill("#interval_minutes", "30")
    page.click("#edit-feed button[type=submit]")
    expect(page.locator(".notice")).to_contain_text("harbour-feed changed")
    assert config_module.load(world.path, env={}).feeds["harbour-feed"].interval_minutes == 30


def test_another_operator_neither_sees_nor_changes_what_is_not_theirs(
    served: tuple[World, str], browser: Browser
) -> None:
    world, url = served
    page = _log_in(browser, url, world.tokens["valley"])
    page.goto(f"{url}/feeds")
    expect(page.locator("#account option")).to_have_text(["valley-news"])
    expect(page.locator("body")).not_to_contain_text("harbour")
    before = world.path.read_text(encoding="utf-8")
    for path in ("/routes/harbour-feed-%3Eharbour-news/edit", "/feeds/harbour-feed/edit"):
        answer = page.goto(url + path)
        assert answer is not None and answer.status == 404
    # A forged form naming the other operator's account is refused too.
    csrf = page.goto(f"{url}/feeds") and page.locator("#add-feed input[name=csrf]").get_attribute("value")
    answer = page.request.post(
        f"{url}/feeds/new", form={"csrf": csrf or "", "url": "https://e.org/x.xml", "account": "harbour-news"}
    )
    assert answer.status == 404
    answer = page.request.post(
        f"{url}/routes/harbour-feed-%3Eharbour-news/edit", form={"csrf": csrf or "", "template": "{link}"}
    )
    assert answer.status == 404
    assert world.path.read_text(encoding="utf-8") == before
