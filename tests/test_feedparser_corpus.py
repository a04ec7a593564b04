"""feedparser's own test corpus (about 2,100 feeds, many of them broken on purpose) through
``botwarden.feeds.parse``: each parses or raises FeedError, nothing else.

The corpus is in feedparser's source distribution on PyPI: the locked version's sdist (URL and hash from
uv.lock) is downloaded once into .cache/ and checked against its hash. The test skips only when the
registry cannot be reached."""

from __future__ import annotations

import hashlib
import re
import tarfile
from pathlib import Path

import httpx
import pytest

from botwarden.errors import FeedError
from botwarden.feeds import parse
from botwarden.feeds.fastparse import parse_fast
from botwarden.feeds.parse import make_item, parse_with_feedparser

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache"
FEED_SUFFIXES = (".xml", ".rdf", ".rss", ".atom", ".json")


def _locked_sdist() -> tuple[str, str]:
    lock = (ROOT / "uv.lock").read_text(encoding="utf-8")
    block = lock.split('name = "feedparser"\n', 1)[1].split("[[package]]", 1)[0]
    found = re.search(r'sdist = \{ url = "([^"]+)", hash = "sha256:([0-9a-f]+)"', block)
    assert found, "uv.lock names no feedparser sdist"
    return found.group(1), found.group(2)


def _corpus() -> Path:
    url, digest = _locked_sdist()
    path = CACHE / url.rsplit("/", 1)[-1]
    if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
        try:
            answer = httpx.get(url, timeout=60, follow_redirects=True)
            answer.raise_for_status()
        except httpx.HTTPError as exc:
            pytest.skip(f"the package registry cannot be reached ({exc}); feedparser's corpus is not cached")
        assert hashlib.sha256(answer.content).hexdigest() == digest, (
            "the downloaded sdist does not match uv.lock"
        )
        CACHE.mkdir(exist_ok=True)
        path.write_bytes(answer.content)
    return path


def test_every_feed_of_feedparsers_corpus_parses_or_raises_feed_error() -> None:
    parsed = refused = 0
    failures: list[str] = []
    with tarfile.open(_corpus()) as archive:
        for member in archive.getmembers():
            if not member.isfile() or "/tests/" not in member.name or not member.name.endswith(FEED_SUFFIXES):
                continue
            handle = archive.extractfile(member)
            assert handle is not None
            data = handle.read()
            try:
                parse(data, f"http://feedparser.test/{member.name}")
                parsed += 1
            except FeedError as exc:
                refused += 1
                assert str(exc).strip(), f"{member.name}: a FeedError without a message"
            except Exception as exc:  # anything else is a bug
                failures.append(f"{member.name}: {type(exc).__name__}: {exc}")
    print(f"\nfeedparser corpus: {parsed + refused} feeds, {parsed} parsed, {refused} refused with FeedError")
    assert parsed + refused >= 2000
    assert not failures, "\n".join(failures[:20])


FIELDS = ("title", "link", "id", "published", "updated", "categories", "enclosures", "media")


def test_the_fast_path_reads_feedparsers_corpus_as_feedparser_does() -> None:
    """Field by field, every item of the corpus's feeds the fast path reads is feedparser's item (the
    corpus is full of edge cases: xml:base, several links, namespaces, odd titles and dates)."""
    taken = items = 0
    differing: dict[str, list[str]] = {name: [] for name in FIELDS}
    with tarfile.open(_corpus()) as archive:
        for member in archive.getmembers():
            if not member.isfile() or "/tests/" not in member.name or not member.name.endswith(FEED_SUFFIXES):
                continue
            handle = archive.extractfile(member)
            assert handle is not None
            data, url = handle.read(), f"http://feedparser.test/{member.name}"
            try:
                fast = parse_fast(data, url, make_item)
            except FeedError:
                continue
            if fast is None:
                continue
            taken += 1
            slow = parse_with_feedparser(data, url)
            assert len(fast.items) == len(slow.items), member.name
            items += len(slow.items)
            for a, b in zip(fast.items, slow.items, strict=True):
                for name in FIELDS:
                    if getattr(a, name) != getattr(b, name):
                        differing[name].append(f"{member.name}: {getattr(a, name)!r} != {getattr(b, name)!r}")
    print(f"\nfeedparser corpus: the fast path read {taken} feeds, {items} items")
    assert taken >= 900 and items >= 500
    for name, lines in differing.items():
        assert len(lines) <= 0.001 * items, f"{name}: " + "\n".join(lines[:5])
