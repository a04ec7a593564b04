"""Bluesky facets, held to what the reference client links: the cases of the atproto package's rich-text
detection tests (packages/api/tests/rich-text-detection.test.ts: links and bare domains, mentions, tags
and cashtags) and the lexicon's limits for a tag (app.bsky.richtext.facet: 64 graphemes, 640 bytes).
Each case is written as the segments a reader sees: plain text, or linked text with what it links to."""

from __future__ import annotations

import pytest

from botwarden.networks.facets import facets

Segment = tuple[str, ...]


def _segments(text: str) -> list[Segment]:
    raw, out, position = text.encode(), [], 0
    for facet in facets(text, lambda handle: "did:fake:" + handle):
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        assert position <= start < end <= len(raw), "facets overlap or run past the text"
        if start > position:
            out.append((raw[position:start].decode(),))
        [feature] = facet["features"]
        target = feature.get("did") or feature.get("uri") or feature["tag"]
        out.append((raw[start:end].decode(), target))
        position = end
    if position < len(raw):
        out.append((raw[position:].decode(),))
    return out


MENTIONS = [
    ("no mention", [("no mention",)]),
    ("@handle.com middle end", [("@handle.com", "did:fake:handle.com"), (" middle end",)]),
    ("start middle @handle.com", [("start middle ",), ("@handle.com", "did:fake:handle.com")]),
    ("@full123-chars.test", [("@full123-chars.test", "did:fake:full123-chars.test")]),
    ("not@right", [("not@right",)]),
    ("@handle.com!@#$chars", [("@handle.com", "did:fake:handle.com"), ("!@#$chars",)]),
    ("parenthetical (@handle.com)", [("parenthetical (",), ("@handle.com", "did:fake:handle.com"), (")",)]),
    ("👨‍👩‍👧‍👧 @handle.com 👨‍👩‍👧‍👧",
     [("👨‍👩‍👧‍👧 ",), ("@handle.com", "did:fake:handle.com"), (" 👨‍👩‍👧‍👧",)]),
]  # fmt: skip
LINKS = [
    ("start https://middle.com/foo/bar?baz=bux#hash end",
     [("start ",), ("https://middle.com/foo/bar?baz=bux#hash", "https://middle.com/foo/bar?baz=bux#hash"),
      (" end",)]),
    ("https://newline1.com\nhttps://newline2.com",
     [("https://newline1.com", "https://newline1.com"), ("\n",),
      ("https://newline2.com", "https://newline2.com")]),
    ("start middle.com end", [("start ",), ("middle.com", "https://middle.com"), (" end",)]),
    ("start middle.com/foo/bar?baz=bux end",
     [("start ",), ("middle.com/foo/bar?baz=bux", "https://middle.com/foo/bar?baz=bux"), (" end",)]),
    ("newline1.com\nnewline2.com",
     [("newline1.com", "https://newline1.com"), ("\n",), ("newline2.com", "https://newline2.com")]),
    ("a example.com/index.php php link",
     [("a ",), ("example.com/index.php", "https://example.com/index.php"), (" php link",)]),
    ("a trailing bsky.app: colon", [("a trailing ",), ("bsky.app", "https://bsky.app"), (": colon",)]),
    ("not.. a..url ..here", [("not.. a..url ..here",)]),
    ("e.g.", [("e.g.",)]),
    ("something-cool.jpg", [("something-cool.jpg",)]),
    ("website.com.jpg", [("website.com.jpg",)]),
    ("e.g./foo", [("e.g./foo",)]),
    ("website.com.jpg/foo", [("website.com.jpg/foo",)]),
    ("punctuation https://foo.com, https://bar.com/whatever; https://baz.com.",
     [("punctuation ",), ("https://foo.com", "https://foo.com"), (", ",),
      ("https://bar.com/whatever", "https://bar.com/whatever"), ("; ",), ("https://baz.com", "https://baz.com"),
      (".",)]),
    ("parenthentical (https://foo.com)",
     [("parenthentical (",), ("https://foo.com", "https://foo.com"), (")",)]),
    ("except for https://foo.com/thing_(cool)",
     [("except for ",), ("https://foo.com/thing_(cool)", "https://foo.com/thing_(cool)")]),
    # a closing bracket the URL did not open is text; the ones it opened are its own
    ("(https://en.wikipedia.org/wiki/Mercury_(planet))",
     [("(",), ("https://en.wikipedia.org/wiki/Mercury_(planet)", "https://en.wikipedia.org/wiki/Mercury_(planet)"),
      (")",)]),
    ("Mercury (https://en.wikipedia.org/wiki/Mercury_(planet)).",
     [("Mercury (",),
      ("https://en.wikipedia.org/wiki/Mercury_(planet)", "https://en.wikipedia.org/wiki/Mercury_(planet)"),
      (").",)]),
    ("see https://example.org/a?!", [("see ",), ("https://example.org/a", "https://example.org/a"), ("?!",)]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "segments"), MENTIONS + LINKS, ids=[t[:40] for t, _ in MENTIONS + LINKS])
def test_links_and_mentions_are_faceted_as_the_reference_client_facets_them(
    text: str, segments: list[Segment]
) -> None:
    assert _segments(text) == segments


TAGS = [
    ("#a", ["a"]),
    ("#1", []),
    ("#1a", ["1a"]),
    ("body #tag body", ["tag"]),
    ("#", []),
    ("#?", []),
    ("text # text", []),
    ("body #thisisa64characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     ["thisisa64characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]),
    ("body #thisisa65characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", []),
    ("body #" + "🦋" * 33, ["🦋" * 33]),  # 33 graphemes, though 66 UTF-16 units
    ("body #" + "🦋" * 65, []),
    ("its a #double#rainbow", ["double#rainbow"]),
    ("##hashash", ["#hashash"]),
    ("some #n0n3s@n5e!", ["n0n3s@n5e"]),
    ("strips trailing #punctuation, #like. #this!", ["punctuation", "like", "this"]),
    ("strips #multi_trailing___...", ["multi_trailing"]),
    ("works with #🦋 emoji, and #butter🦋fly", ["🦋", "butter🦋fly"]),
    ("this #\ufe0f\u20e3tag should not be a tag", []),
    ("this ##\ufe0f\u20e3tag should be a tag", ["#\ufe0f\u20e3tag"]),
    ("this #t\nag should be a tag", ["t"]),
    ("no match (zero-width space): #\u200b", []),
    ("no match: #\u200ba", []),
    ("match: #a\u200bb", ["a"]),
    ("match: #ab\u200b", ["ab"]),
    ("no match: #\u20e2tag", []),
    ("cut: #a\u20e2b", ["a"]),
    ("cut at a soft hyphen or word joiner: #a\u00adb #c\u2060d", ["a", "c"]),
    ("full width number sign: \uff03tag", ["tag"]),
    ("no match 1?: #1?", []),
    # the lexicon's byte limit: 64 graphemes of four-byte letters pass, of ten-byte clusters do not
    ("#" + "𝒜" * 64, ["𝒜" * 64]),
    ("#" + ("e" + "\u0301" * 5) * 64, []),
]  # fmt: skip
CASHTAGS = [
    ("$AAPL", ["$AAPL"]),
    ("$aapl", ["$AAPL"]),
    ("$a", ["$A"]),
    ("$BTC $ETH", ["$BTC", "$ETH"]),
    ("$100", []),
    ("$GOOGL", ["$GOOGL"]),
    ("$TOOLONG", []),
    ("check $LEGO now", ["$LEGO"]),
    ("($GOOG)", ["$GOOG"]),
    ("$AAPL.", ["$AAPL"]),
    ("$AAPL, $MSFT!", ["$AAPL", "$MSFT"]),
    ("no$SPACE", []),
    ("$", []),
    ("$ AAPL", []),
    ("$123ABC", []),
    ("$ABC12", ["$ABC12"]),
    ("$ABC123", []),
]


@pytest.mark.parametrize(("text", "tags"), TAGS + CASHTAGS, ids=[t[:40] for t, _ in TAGS + CASHTAGS])
def test_tags_and_cashtags_follow_the_atproto_rules(text: str, tags: list[str]) -> None:
    found = [segment for segment in _segments(text) if len(segment) == 2]
    assert [target for _, target in found] == tags
    for shown, target in found:  # a tag covers its sign and its text, nothing more
        assert shown[1:] == target.lstrip("$") or shown.upper() == target


def test_a_facet_inside_a_link_belongs_to_the_link() -> None:
    text = "see https://example.org/($AAPL)/#tag and (@handle.com)"
    assert _segments(text) == [
        ("see ",),
        ("https://example.org/($AAPL)/#tag", "https://example.org/($AAPL)/#tag"),
        (" and (",),
        ("@handle.com", "did:fake:handle.com"),
        (")",),
    ]


def test_offsets_are_utf8_bytes() -> None:
    text = "Fähre 渡し船 #Fähre https://example.org/fähre"
    [tag, link] = facets(text, lambda _h: None)
    raw = text.encode()
    assert raw[tag["index"]["byteStart"] : tag["index"]["byteEnd"]].decode() == "#Fähre"
    assert raw[link["index"]["byteStart"] : link["index"]["byteEnd"]].decode() == "https://example.org/fähre"


def test_an_unresolved_handle_stays_plain_text() -> None:
    assert facets("ask @nobody.example.com", lambda _h: None) == []
