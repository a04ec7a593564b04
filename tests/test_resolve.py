"""The link resolver over real HTTP on loopback, blocklist files, and what each hop of a chain is."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from botwarden.errors import ConfigError
from botwarden.links import Blocklist, Resolution, ResolveLimits, hop_kinds, resolve_chain, resolve_many
from botwarden.netguard import AddressPolicy

from .fakes.trickle import TrickleServer, elapsed

LOOPBACK = AddressPolicy(["127.0.0.1"])


def resolve(url: str, policy: AddressPolicy = LOOPBACK, **limits: object) -> Resolution:
    async def go() -> Resolution:
        async with httpx.AsyncClient() as client:
            return await resolve_chain(client, url, policy=policy, limits=ResolveLimits(**limits))  # type: ignore[arg-type]

    return asyncio.run(go())


def test_follows_redirects_hop_by_hop_with_head(site) -> None:
    docs, server = site
    base = server.base_url
    docs.redirect("/s/abc", f"{base}/landing?id=7", 301)
    docs.redirect("/landing?id=7", "/news/story")  # relative Location
    docs.put("/news/story", b"<html>story</html>", "text/html")
    result = resolve(f"{base}/s/abc")
    assert result.chain == (f"{base}/s/abc", f"{base}/landing?id=7", f"{base}/news/story")
    assert result.error == ""
    # HEAD was enough: no hop was asked with GET, so no body was transferred.
    assert [status for _path, status in server.requests] == [301, 302, 200]


def test_a_link_that_does_not_redirect_is_a_chain_of_one(site) -> None:
    docs, server = site
    docs.put("/a", b"x", "text/html")
    assert resolve(f"{server.base_url}/a") == Resolution((f"{server.base_url}/a",))


def test_too_many_redirects_stop_with_an_error(site) -> None:
    docs, server = site
    for n in range(10):
        docs.redirect(f"/r{n}", f"/r{n + 1}")
    result = resolve(f"{server.base_url}/r0", max_hops=3)
    assert len(result.chain) == 4
    assert "more than 3 redirects" in result.error


def test_a_redirect_to_a_private_address_is_refused_by_the_guard(site) -> None:
    docs, server = site
    docs.redirect("/go", "http://169.254.169.254/latest/meta-data/")
    result = resolve(f"{server.base_url}/go")
    assert result.chain == (f"{server.base_url}/go", "http://169.254.169.254/latest/meta-data/")
    assert "link-local" in result.error


def test_loopback_itself_is_refused_without_an_allow_list(site) -> None:
    docs, server = site
    docs.put("/a", b"x", "text/html")
    result = resolve(f"{server.base_url}/a", policy=AddressPolicy())
    assert result.chain == (f"{server.base_url}/a",) and "loopback" in result.error
    assert server.requests == []  # refused before connecting


class _NoHeadHandler(BaseHTTPRequestHandler):
    """A server that refuses HEAD (405), as some do, and redirects on GET."""

    def do_HEAD(self) -> None:
        self.send_response(405)
        self.end_headers()

    def do_GET(self) -> None:
        if self.path == "/short":
            self.send_response(302)
            self.send_header("Location", "/final")
        else:
            self.send_response(200)
            self.send_header("Content-Length", "2")
        self.end_headers()
        if self.path != "/short":
            self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def no_head_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NoHeadHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_server_refusing_head_is_asked_with_get(no_head_server: str) -> None:
    result = resolve(f"{no_head_server}/short")
    assert result.chain == (f"{no_head_server}/short", f"{no_head_server}/final")


def test_a_dead_host_gives_its_chain_so_far_and_the_error() -> None:
    result = resolve("http://127.0.0.1:9/nothing-listens-here", timeout=2.0)
    assert result.chain == ("http://127.0.0.1:9/nothing-listens-here",)
    assert "ConnectError" in result.error


def test_resolve_many_asks_each_link_once(site) -> None:
    docs, server = site
    docs.put("/a", b"x", "text/html")
    url = f"{server.base_url}/a"
    found = asyncio.run(resolve_many([url, url, url], policy=LOOPBACK))
    assert list(found) == [url]
    assert len(server.requests) == 1


# -- host knowledge -----------------------------------------------------------------------------------


def test_hop_kinds_use_built_in_lists_and_the_operators_additions() -> None:
    chain = ("https://bit.ly/x", "https://go.ads.example/l", "https://adf.ly/y", "https://news.example/a")
    assert hop_kinds(chain) == ("shortener", "content", "landing", "content")
    assert hop_kinds(chain, interstitials=frozenset({"ads.example"})) == (
        "shortener",
        "landing",
        "landing",
        "content",
    )
    assert hop_kinds(("https://s.example/1",), shorteners=frozenset({"s.example"})) == ("shortener",)


def test_blocklist_reads_hosts_files_plain_lists_and_csv(tmp_path: Path) -> None:
    (tmp_path / "hosts").write_text(
        "# a hosts file\n0.0.0.0 malware.example\n127.0.0.1 phish.example tracker.example  # two\n"
        "::1 localhost\n"
    )
    (tmp_path / "plain.txt").write_text("spam.example\nhttps://Scam.Example/path\n\n")
    (tmp_path / "feed.csv").write_text("domain,reason\nbad.example,malware\n# comment\n")
    blocklist = Blocklist.load([tmp_path / "hosts", tmp_path / "plain.txt", tmp_path / "feed.csv"])
    for url in (
        "https://malware.example/a",
        "http://sub.phish.example/",
        "https://tracker.example",
        "https://spam.example/x",
        "https://scam.example/",
        "https://bad.example/",
    ):
        assert blocklist.blocks(url), url
    assert not blocklist.blocks("https://notmalware.example/")
    assert not blocklist.blocks("https://news.example/")
    assert "domain" not in blocklist.hosts and "0.0.0.0" not in blocklist.hosts


def test_an_unreadable_blocklist_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"blocklist .*missing\.txt: cannot read it"):
        Blocklist.load([tmp_path / "missing.txt"])


def test_a_server_trickling_its_headers_cannot_stretch_the_links_deadline() -> None:
    # Each read gets its byte within the 3 s read timeout; only the 2 s deadline for the chain stops it.
    with TrickleServer("headers") as server:
        start = time.monotonic()
        result = resolve(f"{server.url}/s/abc", timeout=3.0, deadline=2.0)
        assert elapsed(start) < 4.0
    assert result.chain == (f"{server.url}/s/abc",)
    assert "2-second deadline" in result.error


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://" + "a" * 64 + ".example.org/story", "over 63 characters"),
        ("https://news..example.org/story", "empty label"),
        ("https://.example.org/story", "empty label"),
        ("http://127.0.0.1/a\x00b", "not a valid URL"),
        ("http://127.0.0.1/" + "a" * 70_000, "not a valid URL"),
    ],
)
def test_an_invalid_link_is_an_error_on_its_chain_never_an_exception(url: str, reason: str) -> None:
    result = resolve(url)
    assert result.chain == (url,) and reason in result.error


def test_a_redirect_to_an_invalid_host_ends_the_chain_with_the_error(site) -> None:
    docs, server = site
    docs.redirect("/s/x", "https://" + "b" * 64 + ".example.org/")
    result = resolve(f"{server.base_url}/s/x")
    assert len(result.chain) == 2 and "over 63 characters" in result.error
