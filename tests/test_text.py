"""Post length per network: X against the twitter-text conformance suite, Mastodon and Bluesky."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from botwarden.text import X_CONFIG, measure, weighted_length, x_weighted_length


def _cases(shared: Path, section: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((shared / "conformance/twitter-text/validate.yml").read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = data["tests"][section]
    assert cases, f"no cases in {section}"
    return cases


def test_v3_conformance_through_measure(shared: Path) -> None:
    cases = _cases(shared, "WeightedTweetsWithDiscountedEmojiCounterTest")
    failures = []
    for case in cases:
        result = measure(case["text"], "x")
        expected = case["expected"]
        if (result.length, result.valid) != (expected["weightedLength"], expected["valid"]):
            failures.append((case["description"], result.length, expected["weightedLength"]))
    assert not failures
    print(f"{len(cases)} twitter-text v3 cases pass")


def test_v2_conformance_with_published_config(shared: Path) -> None:
    config = json.loads((shared / "conformance/twitter-text/config/v2.json").read_text())
    cases = _cases(shared, "WeightedTweetsCounterTest")
    for case in cases:
        length, valid = weighted_length(case["text"], config)
        assert (length, valid) == (case["expected"]["weightedLength"], case["expected"]["valid"]), case[
            "description"
        ]
    print(f"{len(cases)} twitter-text v2 cases pass")


def test_builtin_x_config_is_the_published_v3(shared: Path) -> None:
    published = json.loads((shared / "conformance/twitter-text/config/v3.json").read_text())
    assert X_CONFIG["max_weighted_tweet_length"] == published["maxWeightedTweetLength"]
    assert X_CONFIG["default_weight"] == published["defaultWeight"]
    assert X_CONFIG["transformed_url_length"] == published["transformedURLLength"]
    assert X_CONFIG["ranges"] == published["ranges"]
    assert X_CONFIG["emoji_parsing_enabled"] is published["emojiParsingEnabled"]


def test_x_counts_urls_as_23_and_cjk_double() -> None:
    assert measure("Hi https://example.com/a/very/long/path/that/goes/on/and/on", "x").length == 3 + 23
    assert measure("の" * 140, "x").length == 280
    assert not measure("の" * 141, "x").valid


def test_mastodon_counts_urls_23_and_local_part_of_mentions() -> None:
    text = "hello @alice@social.example.org https://example.com/" + "x" * 100
    # "hello " (6) + "@alice" (6) + " " (1) + URL (23)
    assert measure(text, "mastodon").length == 36


def test_mastodon_counts_graphemes_and_uses_server_limit() -> None:
    family = "👨‍👩‍👧"  # one grapheme, five code points
    assert measure(family * 3, "mastodon").length == 3
    assert measure("a" * 501, "mastodon").valid is False
    assert measure("a" * 501, "mastodon", limit=1000).valid is True


def test_bluesky_limits_graphemes_and_bytes() -> None:
    assert measure("a" * 300, "bluesky").valid
    assert not measure("a" * 301, "bluesky").valid
    heavy = "👨‍👩‍👧‍👦" * 200  # 200 graphemes, 25 bytes each
    result = measure(heavy, "bluesky")
    assert result.length == 200
    assert result.nbytes == 5000
    assert not result.valid


def test_empty_text_is_never_valid() -> None:
    for network in ("x", "mastodon", "bluesky"):
        assert not measure("", network).valid
        assert not measure("   ", network).valid


def test_unknown_network_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown network 'myspace'"):
        measure("hi", "myspace")


# Pieces that exercise every path of the fast X count: URLs with and without a scheme, t.co, emoji
# sequences (ZWJ, skin tones, flags, keycaps), © and ®, invalid characters, separators and line endings.
_PIECES = [
    *"abc xyz.:/#@\n\r",
    "\u3000", "\u2005", "\u2000", "\u203c", "‼️", "®", "©", "ñ", "ß", "Ж", "é", "\u0300", "日", "ｔ",
    "😷", "\u200d", "👨", "🎤", "🙋🏽", "\U0001f1fa\U0001f1f8", "1", "\u20e3", "\ufe0f",
    "\ufffe", "\uffff", "\u202a",
    "https://t.co/abc ", "example.com ", "http://x.com/😷a", "https://news.example.org/a?b=c ",
]  # fmt: skip


# ASCII text takes a shorter path (only its URLs change the count): random ASCII text from the same pieces
# holds that path to twitter-text as often as the general one.
@pytest.mark.parametrize(
    ("pieces", "seed"),
    [(_PIECES, 20261124), ([p for p in _PIECES if p.isascii() and "\r" not in p], 20261130)],
    ids=["any text", "ascii text"],
)
def test_the_fast_x_count_agrees_with_twitter_text_on_random_text(pieces: list[str], seed: int) -> None:
    import random

    from twitter_text import parse_tweet

    rng = random.Random(seed)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 160)))
        expected = parse_tweet(text, options=dict(X_CONFIG))
        assert x_weighted_length(text) == (expected.weightedLength, bool(expected.valid)), repr(text)


def test_dotted_words_that_are_not_links_are_passed_over_as_twitter_text_would() -> None:
    """Abbreviations, numbers and file names with dots skip twitter-text's pattern when no dot is followed
    by a TLD it knows: random dotted words, some of them links, must give exactly its answer."""
    import random

    from twitter_text.extract_urls import extract_urls_with_indices

    from botwarden.text import _x_urls

    rng = random.Random(11)
    pieces = ["U", "S", "e", "g", "3", "5", "js", "Node", "com", "COM", "co", "uk", "new", "Next", "io"]
    pieces += ["xn--p1ai", "XN--P1AI", "example", "a-b", "@", "+", "-", "_", "/", "?", "#", "%", ":", "~"]
    pieces += ["рф", "中国", "café", "é", "ß", "пример", "’"]
    for _ in range(4000):
        word = "".join(rng.choice(pieces) + rng.choice([".", ".", ""]) for _ in range(rng.randint(1, 5)))
        text = rng.choice(["", "x ", "(", "http://", "https://a."]) + word + rng.choice(["", " y", ".", ")"])
        expected = [
            (u["indices"][0], u["indices"][1] - u["indices"][0]) for u in extract_urls_with_indices(text)
        ]
        assert _x_urls(text) == expected, text


def test_plain_links_are_counted_as_twitter_text_finds_them() -> None:
    """The quick path for a link as feeds write it must find exactly what twitter-text's pattern finds,
    including where it would stop short of the word or find nothing (unknown TLD, t.co, a long label)."""
    import random

    from twitter_text.extract_urls import extract_urls_with_indices

    from botwarden.text import _x_urls

    rng = random.Random(7)
    labels = ["news", "a", "x-y", "-x", "x-", "b_c", "1", "a" * 63, "a" * 64, "WWW", "t", "xn--p1ai"]
    tlds = ["com", "co", "org", "uk", "zzzz", "onion", "COM", "example", "a", "xn--p1ai", "co."]
    paths = ["", "/", "/story/1", "/a-", "/a_", "/a.", "/a.b", "/~x%20y", "/a=b", "/a+", "/(x)", "/a?b=c"]
    paths += [":80/a", "?utm_source=rss&x=1", "/a?", "/a?b.", "/a.?b", "/a?b+", "/a?b#c", "/?q=a%20b"]
    for _ in range(4000):
        host = ".".join(rng.choice(labels) for _ in range(rng.randint(1, 3))) + "." + rng.choice(tlds)
        word = rng.choice(["https://", "http://", "HTTPS://", ""]) + host + rng.choice(paths)
        text = rng.choice(["", "x ", "(", " "]) + word + rng.choice(["", " y", ".", ")"])
        expected = [
            (u["indices"][0], u["indices"][1] - u["indices"][0]) for u in extract_urls_with_indices(text)
        ]
        assert _x_urls(text) == expected, text
