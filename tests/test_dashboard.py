"""The dashboard in a real headless Chromium (Debian's, driven by Playwright): log in, find a held entry,
read its explanation, approve it, see it scheduled; another operator sees none of it. Screenshots of the
main pages are saved under test-output/screenshots/."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from botwarden.web import create_app
from tests.service import T0, World, build_world

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"
# Chromium on a machine with no outside network: no background connections, no first-run work.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    world = build_world(tmp_path_factory.mktemp("dashboard"))
    app = create_app(world.config, world.runtime.sessions)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
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
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield launched
        launched.close()


def _log_in(browser: Browser, url: str, token: str) -> Page:
    page = browser.new_context(viewport={"width": 1366, "height": 800}).new_page()
    page.goto(f"{url}/login")
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def test_log_in_review_explain_approve_and_see_it_scheduled(
    served: tuple[World, str], browser: Browser
) -> None:
    world, url = served
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _log_in(browser, url, world.tokens["harbour"])
    expect(page.locator("table")).to_contain_text("harbour-news")
    expect(page.locator("table")).not_to_contain_text("valley-news")
    page.screenshot(path=SHOTS / "overview.png", full_page=True)

    page.click("nav >> text=Review")
    card = page.locator(f"#entry-{world.held_id}")
    expect(card).to_contain_text("BW801")
    expect(card.locator(".explanation").first).to_contain_text("phone")  # the hold is listed first
    card.locator("summary").first.click()  # the evidence behind the finding
    expect(card.locator("dl").first).to_be_visible()
    page.screenshot(path=SHOTS / "review.png", full_page=True)

    card.locator("button", has_text="Approve").click()
    expect(page.locator(".notice")).to_contain_text(f"Entry {world.held_id} approved")
    expect(page.locator(f"#entry-{world.held_id}")).to_have_count(0)
    page.goto(f"{url}/queue/{world.held_id}")
    expect(page.locator("h1 .pill")).to_have_text("ready")
    expect(page.locator("body")).to_contain_text("approved by harbour desk")
    expect(page.locator("body")).to_contain_text("scheduled for")
    page.screenshot(path=SHOTS / "entry.png", full_page=True)

    for name, path in (
        ("account", "/accounts/harbour-news"),
        ("feeds", "/feeds"),
        ("rules", "/rules"),
        ("rule", "/rules/BW103"),
    ):
        page.goto(url + path)
        expect(page.locator("h1")).to_be_visible()
        page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
    expect(page.locator("body")).to_contain_text("cross-account")
    # The rule's page shows its worked examples: what it catches, with the finding, and what it lets pass.
    examples = page.locator(".example")
    expect(examples.first).to_contain_text("Caught")
    expect(examples.first).to_contain_text("another account of operator acme on x")
    expect(examples.last).to_contain_text("Not caught")
    expect(examples.last.locator(".pill")).to_have_text("allow")


def test_another_operator_sees_none_of_it(served: tuple[World, str], browser: Browser) -> None:
    world, url = served
    page = _log_in(browser, url, world.tokens["valley"])
    expect(page.locator("table")).to_contain_text("valley-news")
    expect(page.locator("body")).not_to_contain_text("harbour")
    page.goto(f"{url}/review")
    expect(page.locator("body")).not_to_contain_text("harbour")
    for path in (f"/queue/{world.held_id}", "/accounts/harbour-news"):
        answer = page.goto(url + path)
        assert answer is not None and answer.status == 404


def test_forms_need_the_sessions_csrf_token_and_a_login(served: tuple[World, str]) -> None:
    world, url = served
    with httpx.Client(base_url=url, follow_redirects=False) as client:
        assert client.get("/").headers["location"] == "/login"
        login = client.get("/login").text
        csrf = login.split('name="csrf" value="')[1].split('"')[0]
        assert (
            client.post("/login", data={"token": world.tokens["valley"], "csrf": "forged"}).status_code == 403
        )
        assert client.post("/login", data={"token": world.tokens["valley"], "csrf": csrf}).status_code == 303
        refused = client.post(f"/review/{world.held_id}/reject", data={"csrf": "forged"})
        assert refused.status_code == 403
        cookie = client.cookies.get("botwarden_session")
    assert cookie and world.tokens["valley"] not in cookie  # the cookie names the token, never holds it


def _logged_in(url: str, token: str) -> tuple[str, str]:
    """A fresh login: the session cookie as a browser holds it, and the session's CSRF token."""
    with httpx.Client(base_url=url, follow_redirects=False) as client:
        csrf = client.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
        assert client.post("/login", data={"token": token, "csrf": csrf}).status_code == 303
        page = client.get("/")
        assert page.status_code == 200
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        cookie = client.cookies.get("botwarden_session")
    assert cookie
    return cookie, csrf


def _opens(url: str, cookie: str, path: str = "/") -> bool:
    """Whether a copy of the cookie, sent from anywhere, opens the page (rather than the login)."""
    with httpx.Client(base_url=url, follow_redirects=False, cookies={"botwarden_session": cookie}) as thief:
        answer = thief.get(path)
    return answer.status_code == 200 and "login" not in answer.headers.get("location", "")


def _token(world: World, name: str) -> tuple[int, str]:
    from botwarden.store.tokens import create_token

    with world.runtime.sessions.begin() as session:
        return create_token(session, "valley", name, T0)


def test_logging_out_ends_the_session_for_every_copy_of_its_cookie(served: tuple[World, str]) -> None:
    world, url = served
    _id, token = _token(world, "logout desk")
    captured, csrf = _logged_in(url, token)
    other, _ = _logged_in(url, token)  # the same person in a second browser
    assert _opens(url, captured) and _opens(url, captured, "/review")
    with httpx.Client(base_url=url, follow_redirects=False, cookies={"botwarden_session": captured}) as owner:
        assert owner.post("/logout", data={"csrf": csrf}).headers["location"] == "/login"
    for path in ("/", "/review", "/accounts/valley-news", "/feeds"):
        assert not _opens(url, captured, path), f"a cookie captured before logout still opens {path}"
    assert _opens(url, other)  # logging out in one browser leaves the other logged in


def test_revoking_a_token_ends_its_dashboard_sessions(served: tuple[World, str]) -> None:
    from botwarden.store.tokens import revoke_token

    world, url = served
    token_id, token = _token(world, "revoked desk")
    captured, _csrf = _logged_in(url, token)
    assert _opens(url, captured)
    with world.runtime.sessions.begin() as session:
        revoke_token(session, token_id, T0)
    assert not _opens(url, captured) and not _opens(url, captured, "/review")
    with httpx.Client(base_url=url, follow_redirects=False) as client:  # nor can it log in again
        csrf = client.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
        again = client.post("/login", data={"token": token, "csrf": csrf})
        assert again.status_code == 200 and "unknown or revoked" in again.text
