"""Templates, hashtags, link hygiene, and drafts that fit each network without cutting the link."""

from __future__ import annotations

import pytest

from botwarden.compose import (
    DEFAULT_TEMPLATE,
    HashtagPolicy,
    ItemFields,
    TemplateError,
    canonical_link,
    compose,
    fields_of,
    hashtags_for,
    render,
    shorten,
)
from botwarden.text import measure


@pytest.mark.parametrize(
    "template",
    [
        "{title.__class__} {link}",
        "{title[0]} {link}",
        "{0} {link}",
        "{title!r} {link}",
        "{title:>10} {link}",
        "{secret} {link}",
        "{title}",
        "{title {link}",
    ],
)
def test_unsafe_or_unknown_templates_are_refused(template: str) -> None:
    with pytest.raises(TemplateError):
        fields_of(template)


def test_render_tidies_empty_fields() -> None:
    assert render("{title}  {summary} {link} {hashtags}", {"title": "T", "link": "L"}) == "T L"


def test_hashtags_from_categories_are_joined_unique_and_capped() -> None:
    assert hashtags_for(["climate change", "Climate Change", "2026", "weather"], limit=3) == [
        "#ClimateChange",
        "#weather",
    ]
    assert hashtags_for(["a", "b", "c"], fixed=["Town"], limit=2) == ["#Town", "#a"]
    assert hashtags_for(["x"], limit=0) == []


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://Example.ORG:443/a?utm_source=rss&id=3&fbclid=abc#top", "https://example.org/a?id=3"),
        ("http://example.org", "http://example.org/"),
        ("http://example.org:8080/x?gclid=1", "http://example.org:8080/x"),
        ("mailto:someone@example.org", "mailto:someone@example.org"),
    ],
)
def test_canonical_link_drops_tracking(url: str, canonical: str) -> None:
    assert canonical_link(url) == canonical


def test_shorten_prefers_word_boundaries() -> None:
    assert shorten("the quick brown fox jumps", 14) == "the quick…"
    assert shorten("short", 10) == "short"
    assert shorten("anything", 0) == ""


LONG = ItemFields(
    title="Storm warning for the harbour district tonight as winds reach ninety kilometres an hour " * 3,
    link="https://news.example/storm?utm_source=feed&id=42",
    summary="Residents are asked to secure loose objects and avoid the seafront. " * 20,
    categories=("weather",),
)


@pytest.mark.parametrize("network", ["x", "mastodon", "bluesky"])
def test_drafts_fit_and_never_cut_the_link(network: str) -> None:
    draft = compose(LONG, "{title}: {summary} {link} {hashtags}", network)
    assert draft.fits
    assert measure(draft.text, network).valid
    assert "https://news.example/storm?id=42" in draft.text
    assert "summary shortened" in " ".join(draft.notes)


def test_summary_goes_before_the_title() -> None:
    item = ItemFields(title="A headline that stays whole", link="https://e.org/1", summary="word " * 200)
    draft = compose(item, "{title} — {summary} {link}", "x")
    assert draft.text.startswith("A headline that stays whole — ")
    assert draft.fits
    assert not any("title" in note for note in draft.notes)


def test_title_is_shortened_when_the_summary_is_not_enough() -> None:
    draft = compose(LONG, "{title} {title} {link}", "bluesky")
    assert draft.fits
    assert "title shortened" in " ".join(draft.notes)
    assert draft.text.endswith("https://news.example/storm?id=42")


def test_a_draft_that_cannot_fit_says_so() -> None:
    item = ItemFields(title="t", link="https://e.org/" + "p" * 400)
    draft = compose(item, "{title} {link}", "bluesky")
    assert not draft.fits


def test_server_limit_applies_to_mastodon() -> None:
    draft = compose(LONG, "{title} {summary} {link}", "mastodon", limit=100)
    assert draft.measure.limit == 100
    assert draft.measure.length <= 100


def test_html_in_feed_fields_becomes_plain_text() -> None:
    item = ItemFields(
        title="Tom &amp; Jerry", link="https://e.org", summary="<p>Hello <b>there</b></p><script>x</script>"
    )
    draft = compose(item, "{title}: {summary} {link}", "x", hashtags=HashtagPolicy(limit=0))
    assert draft.text == "Tom & Jerry: Hello there https://e.org/"


# -- exact text: nothing invisible reaches a post ------------------------------------------------------

INVISIBLE = ["\x00", "\x08", "\x1b", "\x7f", "\x9b", "\u202e", "\u2066", "\ufeff", "\ufffe", "\ud800"]


@pytest.mark.parametrize("network", ["x", "mastodon", "bluesky", "local"])
@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_control_and_direction_characters_never_reach_a_post(network: str, char: str) -> None:
    item = ItemFields(
        title=f"Ferry{char} cancelled",
        link="https://e.org/ferry",
        summary=f"Storm{char}warning",
        categories=(f"Weather{char}",),
        feed_title=f"Harbour{char} news",
        author=f"Desk{char}",
    )
    template = "{feed_title}: {title}\t{summary} ({author}) " + char + "\n{link} {hashtags}"
    draft = compose(item, template, network)
    assert char not in draft.text
    assert draft.text == "Harbour news: Ferry cancelled Stormwarning (Desk)\nhttps://e.org/ferry #Weather"
    draft.text.encode()  # every network sends UTF-8


def test_carriage_returns_and_form_feeds_in_feed_text_become_spaces() -> None:
    item = ItemFields(title="Ferry\rcancelled\x0cagain", link="https://e.org/f")
    assert compose(item, "{title} {link}", "x").text == "Ferry cancelled again https://e.org/f"


@pytest.mark.parametrize(
    ("label", "tag"),
    [
        ("climate\u200bchange", "#ClimateChange"),  # a zero-width space parts words, never sits in a tag
        ("news\ufe0f", "#news"),
        ("#\ufe0f\u20e3tag", "#tag"),
        ("a\u20e2b", "#AB"),
        ("café", "#café"),
        ("cafe\u0301", "#café"),  # composed, so the mark stays with its letter
        ("हिन्दी", "#हिन्दी"),  # marks of a script are letters' parts, not separators
        ("2026", None),
        ("1_2", None),
        ("snake_case_", "#snake_case"),
        ("x" * 64, "#" + "x" * 64),
        ("x" * 65, None),
    ],
)
def test_hashtags_hold_no_invisible_characters_and_fit_every_network(label: str, tag: str | None) -> None:
    from botwarden.compose import to_hashtag

    assert to_hashtag(label) == tag


def test_the_mastodon_content_warning_counts_towards_the_limit() -> None:
    item = ItemFields(title="word " * 200, link="https://e.org/ferry")
    warning = "Weather: storm " * 10
    draft = compose(item, "{title} {link}", "mastodon", content_warning=warning)
    assert draft.fits
    assert draft.measure.length == measure(draft.text, "mastodon", content_warning=warning).length <= 500
    assert measure(draft.text, "mastodon").length <= 500 - len(warning)
    assert compose(item, "{title} {link}", "x", content_warning=warning).measure.length > 240


def test_a_content_warning_that_leaves_no_room_is_too_long() -> None:
    from datetime import UTC, datetime

    from botwarden.rules.builtin.length import TooLong
    from botwarden.rules.model import Action

    item = ItemFields(title="Ferry cancelled", link="https://e.org/ferry")
    draft = compose(item, "{title} {link}", "mastodon", content_warning="w" * 490)
    assert not draft.fits
    at = datetime(2026, 3, 1, tzinfo=UTC)
    action = Action(id="1", kind="post", account="a", at=at, text=draft.text, network="mastodon")
    assert TooLong().check(action, None) == []  # type: ignore[arg-type]
    warned = Action(
        id="1", kind="post", account="a", at=at, text=draft.text, network="mastodon",
        extra={"content_warning": "w" * 490},
    )  # fmt: skip
    [finding] = TooLong().check(warned, None)  # type: ignore[arg-type]
    assert finding.evidence["length"] == draft.measure.length > 500


def test_the_items_own_hashtags_count_towards_the_limit_and_are_not_added_twice() -> None:
    item = ItemFields(
        "Pull requests welcome this #Hacktoberfest",
        "https://e.org/a",
        categories=("hacktoberfest", "python", "git"),
    )
    draft = compose(item, DEFAULT_TEMPLATE, "mastodon", hashtags=HashtagPolicy(limit=2))
    assert draft.hashtags == ("#python",)
    assert draft.text.count("#") == 2
    plain = compose(ItemFields("Pull requests welcome", "https://e.org/a", categories=("python", "git")),
                    DEFAULT_TEMPLATE, "mastodon")  # fmt: skip
    assert plain.hashtags == ("#python", "#git")
