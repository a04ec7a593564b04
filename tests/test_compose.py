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
