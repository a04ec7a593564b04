"""Images: fetched through the SSRF guard under caps, cleaned of their metadata, fitted to each network's
documented limits, described, and posted by the worker to the fake networks as each one takes them."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from botwarden import config as config_module
from botwarden.errors import MediaError
from botwarden.feeds import MediaRef
from botwarden.media import (
    LIMITS,
    STORED,
    MediaFetchLimits,
    alt_text,
    clean,
    fetch_image,
    fetch_page_image,
    fit,
    prepare_images,
)
from botwarden.media.fit import MAX_PIXELS
from botwarden.netguard import AddressPolicy
from botwarden.networks.build import credential_store
from botwarden.run.loop import Runtime
from botwarden.store.models import HistoryRow, QueueRow, VerdictRow
from tests.conftest import Site
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.x import FakeX
from tests.media_files import GPS_IFD, media_rss, photo, transparent_png

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
LOOPBACK = AddressPolicy(["127.0.0.1"])


def _metadata(data: bytes) -> dict[str, Any]:
    image = Image.open(io.BytesIO(data))
    return {"exif": dict(image.getexif()), "info": {k: v for k, v in image.info.items() if k != "jfif"}}


# -- cleaning and fitting -----------------------------------------------------------------------------


def test_an_image_is_posted_without_its_metadata_and_upright() -> None:
    raw = photo(1200, 800, orientation=6)  # EXIF: rotate 90° to show it upright
    assert GPS_IFD in Image.open(io.BytesIO(raw)).getexif()
    picture = clean(raw, STORED)
    assert (picture.width, picture.height) == (800, 1200)
    found = _metadata(picture.data)
    assert found["exif"] == {}
    assert (
        "comment" not in found["info"] and "exif" not in found["info"] and "icc_profile" not in found["info"]
    )


@pytest.mark.parametrize("network", ["x", "mastodon", "bluesky"])
def test_a_big_photo_is_made_to_fit_each_networks_documented_limit(network: str) -> None:
    limits = LIMITS[network]
    picture = fit(clean(photo(4800, 3200, seed=3), STORED), limits)
    assert len(picture.data) <= limits.max_bytes
    assert max(picture.width, picture.height) <= limits.max_side
    assert abs(picture.width / picture.height - 1.5) < 0.01  # the shape is kept


def test_an_image_that_already_fits_is_not_encoded_again() -> None:
    picture = clean(photo(300, 200), STORED)
    assert fit(picture, LIMITS["bluesky"]) is picture


def test_transparency_stays_png_and_an_opaque_image_becomes_jpeg() -> None:
    assert clean(transparent_png(), STORED).mime_type == "image/png"
    opaque = Image.new("RGBA", (8, 8), (1, 2, 3, 255))
    out = io.BytesIO()
    opaque.save(out, "PNG")
    assert clean(out.getvalue(), STORED).mime_type == "image/jpeg"


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"<html>not an image</html>", "not an image"),
        (photo(100, 100)[:400], "damaged|not an image"),
    ],
    ids=["html", "truncated"],
)
def test_what_is_not_an_image_is_refused_with_a_reason(data: bytes, why: str) -> None:
    with pytest.raises(MediaError, match=why):
        clean(data, STORED)


def test_an_image_claiming_too_many_pixels_is_refused_before_it_is_decoded() -> None:
    side = int(MAX_PIXELS**0.5) + 100
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG")  # tiny file, huge canvas: a decompression bomb's shape
    with pytest.raises(MediaError, match="pixels"):
        clean(out.getvalue(), STORED)


# -- alt text -----------------------------------------------------------------------------------------


def test_alt_text_is_the_feeds_own_words_else_the_routes_template_never_empty() -> None:
    values = {"title": "Lifeboat crew rescue", "summary": "", "feed_title": "Harbour news"}
    assert alt_text("The <b>lifeboat</b> at sea", "{title}", values, 1000) == "The lifeboat at sea"
    assert alt_text("", "Photo: {title} ({feed_title})", values, 1000) == (
        "Photo: Lifeboat crew rescue (Harbour news)"
    )
    assert alt_text("", "{summary}", values, 1000) == "Lifeboat crew rescue"  # empty template: the title
    long = alt_text("word " * 400, "{title}", values, 1000)
    assert len(long) <= 1000 and long.endswith("…")


# -- fetching -----------------------------------------------------------------------------------------


def _fetch(url: str, policy: AddressPolicy = LOOPBACK, **limits: Any) -> bytes:
    async def go() -> bytes:
        async with httpx.AsyncClient() as client:
            return await fetch_image(client, url, policy=policy, limits=MediaFetchLimits(**limits))

    return asyncio.run(go())


def test_an_image_is_fetched_through_the_guard(site: tuple[Site, Any]) -> None:
    docs, server = site
    docs.put("/a.jpg", photo(50, 50), "image/jpeg")
    assert _fetch(f"{server.base_url}/a.jpg")[:2] == b"\xff\xd8"
    with pytest.raises(MediaError, match=r"refused.*allow_hosts"):
        _fetch(f"{server.base_url}/a.jpg", AddressPolicy())


def test_a_redirect_to_a_private_address_is_refused(site: tuple[Site, Any]) -> None:
    docs, server = site
    docs.redirect("/hop.jpg", "http://10.0.0.8/secret.jpg")
    with pytest.raises(MediaError, match=r"10\.0\.0\.8"):
        _fetch(f"{server.base_url}/hop.jpg")


def test_an_image_over_the_cap_or_not_an_image_is_refused(site: tuple[Site, Any]) -> None:
    docs, server = site
    docs.put("/big.jpg", photo(400, 400), "image/jpeg")
    docs.put("/page.jpg", b"<html></html>", "text/html")
    with pytest.raises(MediaError, match="limit"):
        _fetch(f"{server.base_url}/big.jpg", max_bytes=10_000)
    with pytest.raises(MediaError, match="not an image"):
        _fetch(f"{server.base_url}/page.jpg")


def test_a_pages_og_image_and_its_alt_are_found(site: tuple[Site, Any]) -> None:
    docs, server = site
    docs.put(
        "/story",
        b'<html><head><meta property="og:image" content="/img/card.jpg">'
        b'<meta property="og:image:alt" content="The new ferry at the quay"></head><body>'
        b'<meta property="og:image" content="/not-this.jpg"></body></html>',
        "text/html; charset=utf-8",
    )

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            return await fetch_page_image(
                client, f"{server.base_url}/story", policy=LOOPBACK, limits=MediaFetchLimits()
            )

    found = asyncio.run(go())
    assert found.url == f"{server.base_url}/img/card.jpg" and found.alt == "The new ferry at the quay"


def test_a_failed_image_is_passed_over_for_the_next_and_noted(site: tuple[Site, Any]) -> None:
    docs, server = site
    docs.put("/good.jpg", photo(80, 60), "image/jpeg")
    refs = [
        MediaRef(f"{server.base_url}/gone.jpg", "image/jpeg", "media:content", "a ferry"),
        MediaRef(f"{server.base_url}/good.jpg", "image/jpeg", "media:content", "a ferry"),
    ]

    async def go() -> Any:
        async with httpx.AsyncClient() as client:
            return await prepare_images(
                client, refs, "", count=1, page_image=False, policy=LOOPBACK, limits=MediaFetchLimits()
            )

    gone, good = asyncio.run(go())
    assert gone.picture is None and "404" in gone.error
    assert good.picture is not None and good.alt == "a ferry"


# -- the worker, end to end ---------------------------------------------------------------------------


@pytest.fixture
def networks() -> Iterator[tuple[FakeX, FakeMastodon, FakeBluesky]]:
    servers = (FakeX(), FakeMastodon(processing_polls=1), FakeBluesky())
    for server in servers:
        server.start()
    yield servers
    for server in servers:
        server.stop()


def _runtime(
    tmp_path: Path,
    base: str,
    accounts: list[dict[str, Any]],
    logins: dict[str, dict[str, str]],
    post: dict[str, Any] | None = None,
) -> Runtime:
    raw = {
        "settings": {
            "database_url": f"sqlite:///{tmp_path / 'bw.db'}",
            "secret_key_file": str(tmp_path / "secret.key"),
            "allow_hosts": ["127.0.0.1"],
            "jitter_seconds": 0,
            "min_interval_minutes": 0,
            "burst_max": 100,
            "resolve_links": False,
        },
        "accounts": [{"operator": a["id"], **a} for a in accounts],
        "feeds": [{"id": "harbour", "url": f"{base}/feed.rss"}],
        "routes": [
            {
                "feed": "harbour",
                "account": a["id"],
                "template": "{title} {link}",
                "first_run": "all",
                "post": post or {},
            }
            for a in accounts
        ],
    }
    config = config_module.from_mapping(raw, label="test.toml", env={})
    runtime = Runtime(config, env={})
    store = credential_store(config, runtime.sessions, env={})
    for account, values in logins.items():
        store.update(account, values)
    return runtime


def _three(networks: tuple[FakeX, FakeMastodon, FakeBluesky]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    x, mastodon, bluesky = networks
    accounts = [
        {"id": "xnews", "network": "x", "server": x.url},
        {"id": "toots", "network": "mastodon", "server": mastodon.url},
        {"id": "skies", "network": "bluesky", "server": bluesky.url},
    ]
    logins = {
        "xnews": x.add_oauth1_user("xnews"),
        "toots": mastodon.add_user("toots"),
        "skies": bluesky.add_user("skies.example.com"),
    }
    return accounts, logins


def test_a_feed_image_reaches_each_network_fitted_described_and_clean(
    tmp_path: Path, site: tuple[Site, Any], networks: tuple[FakeX, FakeMastodon, FakeBluesky]
) -> None:
    docs, server = site
    x, mastodon, bluesky = networks
    docs.put("/harbour.jpg", photo(3000, 2000, seed=5), "image/jpeg")
    item = {
        "guid": "g1",
        "title": "Lifeboat crew rescue two sailors",
        "link": "https://harbour.example/lifeboat",
        "image": f"{server.base_url}/harbour.jpg",
        "description": "The lifeboat returning to the harbour at dusk",
    }
    docs.put("/feed.rss", media_rss([item], when=T0))
    accounts, logins = _three(networks)
    runtime = _runtime(tmp_path, server.base_url, accounts, logins)
    report = runtime.run_pass(T0)
    assert report.ingest.media_fetched == 1 and report.publish.posted == 3, report
    assert [p for p, _ in server.requests].count("/harbour.jpg") == 1  # fetched once for every route

    [tweet] = x.user("xnews").tweets
    [uploaded] = tweet["media"]
    assert uploaded["alt"] == "The lifeboat returning to the harbour at dusk"
    assert uploaded["size"] <= 5 * 1024 * 1024 and _metadata(uploaded["data"])["exif"] == {}

    [status] = mastodon.user("toots").statuses
    [attachment] = status["media_attachments"]
    assert attachment["description"] == "The lifeboat returning to the harbour at dusk"
    assert mastodon.media[attachment["id"]]["size"] <= 16 * 1024 * 1024

    # Bluesky: a link card whose thumbnail is the item's image, within the lexicon's 1,000,000 bytes.
    [record] = bluesky.user("skies.example.com").records
    card = record["value"]["embed"]["external"]
    assert card["uri"] == "https://harbour.example/lifeboat" and card["title"] == item["title"]
    thumb = bluesky.blobs[card["thumb"]["ref"]["$link"]]
    assert thumb["size"] <= 1_000_000 and _metadata(thumb["data"])["exif"] == {}
    runtime.close()


def test_bluesky_without_a_card_attaches_the_images_with_alt_text_and_aspect_ratio(
    tmp_path: Path, site: tuple[Site, Any], networks: tuple[FakeX, FakeMastodon, FakeBluesky]
) -> None:
    docs, server = site
    _, _, bluesky = networks
    docs.put("/a.jpg", photo(2400, 1600, seed=7), "image/jpeg")
    item = {"guid": "g1", "title": "Regatta entries open", "link": "https://harbour.example/regatta"}
    item |= {"summary": "Boats gather.", "img": f"{server.base_url}/a.jpg", "img_alt": ""}
    docs.put("/feed.rss", media_rss([item], when=T0))
    runtime = _runtime(
        tmp_path,
        server.base_url,
        [{"id": "skies", "network": "bluesky", "server": bluesky.url}],
        {"skies": bluesky.add_user("skies.example.com")},
        post={"link_card": False, "alt_text": "Photo for: {title}"},
    )
    assert runtime.run_pass(T0).publish.posted == 1
    [record] = bluesky.user("skies.example.com").records
    [image] = record["value"]["embed"]["images"]
    assert image["alt"] == "Photo for: Regatta entries open"  # the <img> had no alt: the route's template
    assert (image["aspectRatio"]["width"], image["aspectRatio"]["height"]) == (2000, 1333)
    assert bluesky.blobs[image["image"]["ref"]["$link"]]["size"] <= 1_000_000
    runtime.close()


def test_media_all_attaches_up_to_four_and_none_attaches_none(
    tmp_path: Path, site: tuple[Site, Any], networks: tuple[FakeX, FakeMastodon, FakeBluesky]
) -> None:
    docs, server = site
    x, _, _ = networks
    for n in range(6):
        docs.put(f"/{n}.jpg", photo(60, 40, seed=n), "image/jpeg")
    enclosures = "".join(
        f'<enclosure url="{server.base_url}/{n}.jpg" type="image/jpeg" length="1"/>' for n in range(6)
    )
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://h.example/</link>'
        "<description>d</description><item><guid>g</guid><title>Six photos of the gala</title>"
        f"<link>https://h.example/gala</link>{enclosures}</item></channel></rss>"
    )
    docs.put("/feed.rss", feed.encode())
    runtime = _runtime(
        tmp_path,
        server.base_url,
        [{"id": "xnews", "network": "x", "server": x.url}],
        {"xnews": x.add_oauth1_user("xnews")},
        post={"media": "all"},
    )
    runtime.run_pass(T0)
    [tweet] = x.user("xnews").tweets
    assert len(tweet["media"]) == 4  # X takes 4 media a post
    assert all(m["alt"] == "Six photos of the gala" for m in tweet["media"])
    runtime.close()


def test_media_none_fetches_and_attaches_nothing(
    tmp_path: Path, site: tuple[Site, Any], networks: tuple[FakeX, FakeMastodon, FakeBluesky]
) -> None:
    docs, server = site
    x, _, _ = networks
    docs.put("/a.jpg", photo(60, 40), "image/jpeg")
    item = {
        "guid": "g",
        "title": "Quiet day",
        "link": "https://h.example/q",
        "image": f"{server.base_url}/a.jpg",
    }
    docs.put("/feed.rss", media_rss([item], when=T0))
    runtime = _runtime(
        tmp_path,
        server.base_url,
        [{"id": "xnews", "network": "x", "server": x.url}],
        {"xnews": x.add_oauth1_user("xnews")},
        post={"media": "none"},
    )
    runtime.run_pass(T0)
    assert x.user("xnews").tweets[0]["media"] == [] and "/a.jpg" not in [p for p, _ in server.requests]
    runtime.close()


def test_the_pages_og_image_is_taken_only_when_the_route_asks(
    tmp_path: Path, site: tuple[Site, Any], networks: tuple[FakeX, FakeMastodon, FakeBluesky]
) -> None:
    docs, server = site
    x, _, _ = networks
    docs.put("/og.jpg", photo(120, 80), "image/jpeg")
    docs.put(
        "/story",
        f'<html><head><meta property="og:image" content="{server.base_url}/og.jpg"></head></html>'.encode(),
        "text/html",
    )
    item = {"guid": "g", "title": "Harbour opens", "link": f"{server.base_url}/story"}
    docs.put("/feed.rss", media_rss([item], when=T0))
    runtime = _runtime(
        tmp_path,
        server.base_url,
        [{"id": "xnews", "network": "x", "server": x.url}],
        {"xnews": x.add_oauth1_user("xnews")},
        post={"page_image": True},
    )
    runtime.run_pass(T0)
    [tweet] = x.user("xnews").tweets
    assert len(tweet["media"]) == 1 and tweet["media"][0]["alt"] == "Harbour opens"
    runtime.close()


@pytest.mark.parametrize("marked", [False, True])
def test_bw802_judges_the_media_actually_attached(
    tmp_path: Path,
    site: tuple[Site, Any],
    networks: tuple[FakeX, FakeMastodon, FakeBluesky],
    marked: bool,
) -> None:
    docs, server = site
    _, mastodon, _ = networks
    docs.put("/a.jpg", photo(60, 40), "image/jpeg")
    item = {
        "guid": "g",
        "title": "Late show",
        "link": "https://h.example/late",
        "image": f"{server.base_url}/a.jpg",
    }
    docs.put("/feed.rss", media_rss([{**item, "rating": "adult"}], when=T0))
    account = {"id": "toots", "network": "mastodon", "server": mastodon.url, "sensitive_media": marked}
    runtime = _runtime(tmp_path, server.base_url, [account], {"toots": mastodon.add_user("toots")})
    runtime.run_pass(T0)
    with runtime.sessions() as session:
        [entry] = session.scalars(select(QueueRow))
        codes = session.scalars(select(VerdictRow.codes)).all()
    if marked:
        assert entry.state == "sent"
        [status] = mastodon.user("toots").statuses
        assert status["sensitive"] is True  # shown behind a warning, as the rating asks
    else:
        assert entry.state == "denied" and codes == [["BW802"]]
        assert mastodon.user("toots").statuses == []
    runtime.close()


def test_a_failed_media_upload_never_marks_the_post_sent_nor_posts_twice(
    tmp_path: Path, site: tuple[Site, Any], networks: tuple[FakeX, FakeMastodon, FakeBluesky]
) -> None:
    docs, server = site
    x, _, _ = networks
    docs.put("/a.jpg", photo(60, 40), "image/jpeg")
    item = {
        "guid": "g",
        "title": "Ferry timetable",
        "link": "https://h.example/t",
        "image": f"{server.base_url}/a.jpg",
    }
    docs.put("/feed.rss", media_rss([item], when=T0))
    runtime = _runtime(
        tmp_path,
        server.base_url,
        [{"id": "xnews", "network": "x", "server": x.url}],
        {"xnews": x.add_oauth1_user("xnews")},
    )
    x.fault("server_error", path="/2/media/upload")
    x.fault("drop", path="/2/media/metadata")
    first = runtime.run_pass(T0)
    assert first.publish.posted == 0 and x.requests_to("POST", "/2/tweets") == []
    with runtime.sessions() as session:
        assert session.scalars(select(QueueRow.state)).all() == ["ready"]
        assert session.scalars(select(HistoryRow)).all() == []
    later = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    for hours in range(3):
        runtime.run_pass(later.replace(hour=12 + hours))
    [tweet] = x.user("xnews").tweets
    assert len(tweet["media"]) == 1 and tweet["media"][0]["alt"] == "Ferry timetable"
    runtime.close()


def test_mastodon_waits_for_processing_and_its_422_over_the_limit_is_rejected(
    tmp_path: Path, site: tuple[Site, Any], networks: tuple[FakeX, FakeMastodon, FakeBluesky]
) -> None:
    docs, server = site
    _, mastodon, _ = networks
    docs.put("/a.jpg", photo(60, 40), "image/jpeg")
    item = {"guid": "g", "title": "Ferry", "link": "https://h.example/f", "image": f"{server.base_url}/a.jpg"}
    docs.put("/feed.rss", media_rss([item], when=T0))
    runtime = _runtime(
        tmp_path,
        server.base_url,
        [{"id": "toots", "network": "mastodon", "server": mastodon.url}],
        {"toots": mastodon.add_user("toots")},
    )
    mastodon.fault("unprocessable", path="/api/v1/statuses")
    runtime.run_pass(T0)
    with runtime.sessions() as session:
        [entry] = session.scalars(select(QueueRow))
        assert entry.state == "failed" and entry.last_error.startswith("rejected"), entry.last_error
    assert mastodon.requests_to("GET", f"/api/v1/media/{next(iter(mastodon.media))}")  # waited for it
    assert mastodon.user("toots").statuses == []
    runtime.close()
