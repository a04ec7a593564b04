"""Mastodon's count, held to the server's own rules: the cases of Mastodon's validator tests
(spec/validators/status_length_validator_spec.rb), its URL extraction (twitter-text with the patterns of
config/initializers/twitter_regex.rb: punctuation after a link is text, balanced parentheses belong to it),
and the content warning counted with the text. A composed status never measures more than the server
counts."""

from __future__ import annotations

import random

import pytest

from botwarden.compose import ItemFields, compose
from botwarden.text import graphemes, measure

LIMIT = 500


def _mastodon(text: str, warning: str = "") -> int:
    return measure(text, "mastodon", content_warning=warning).length


# -- the validator's own cases -------------------------------------------------------------------------


def test_the_content_warning_alone_can_be_over_the_limit() -> None:
    assert not measure("text", "mastodon", content_warning="a" * 520).valid


def test_text_and_content_warning_count_together() -> None:
    assert _mastodon("b" * 251, "a" * 250) == 501
    assert not measure("b" * 251, "mastodon", content_warning="a" * 250).valid
    assert measure("b" * 250, "mastodon", content_warning="a" * 250).valid


def test_a_url_counts_23_characters_flat() -> None:
    text = "a" * 476 + " http://" + "b" * 30 + ".com/example"
    assert _mastodon(text) == 476 + 1 + 23
    assert measure(text, "mastodon").valid


def test_a_url_glued_to_a_word_is_not_a_link_and_counts_in_full() -> None:
    url = "http://" + "b" * 30 + ".com/example"
    assert _mastodon("a" * 476 + url) == 476 + len(url)


def test_an_overly_long_url_counts_in_full() -> None:
    text = "http://example.com/valid?" + "#foo?" * 1000
    assert _mastodon(text) == len(text)


def test_a_remote_mention_counts_only_its_local_part() -> None:
    assert _mastodon("a" * 475 + " @alice@" + "b" * 30 + ".com") == 475 + 1 + len("@alice")


def test_a_mention_with_an_overly_long_domain_counts_in_full() -> None:
    text = "@alice@" + "b" * 500 + ".com"
    assert _mastodon(text) == len(text)


# -- the URL extraction ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # punctuation after a link is text
        ("Storm (https://news.example.org/storm).", len("Storm (") + 23 + len(").")),
        ("https://news.example.org/storm, then", 23 + len(", then")),
        ("https://news.example.org/a?b=1!", 23 + 1),
        ("https://news.example.org/a; https://news.example.org/b:", 23 + 2 + 23 + 1),
        # ...but not every closing mark: a guillemet may end a Mastodon path, so it is part of the URL
        ("«https://news.example.org/a»", 1 + 23),
        ('"https://news.example.org/a"', 1 + 23 + 1),
        # parentheses the URL opens are its own
        ("See https://en.wikipedia.org/wiki/Mercury_(planet)", 4 + 23),
        ("(https://en.wikipedia.org/wiki/Mercury_(planet))", 1 + 23 + 1),
        # what the server does not link counts as written
        ("news.example.org/storm", len("news.example.org/storm")),
        ("http://localhost:8080/storm", len("http://localhost:8080/storm")),
        ("http://127.0.0.1/storm", len("http://127.0.0.1/storm")),
        # schemes Mastodon links besides http(s)
        ("gemini://news.example.org/storm", 23),
        # a query may hold non-ASCII text, a path ends at white space
        ("https://news.example.org/?q=fähre fällt", 23 + len(" fällt")),
    ],
)
def test_urls_count_as_mastodon_extracts_them(text: str, expected: int) -> None:
    assert _mastodon(text) == expected


# -- the composer fits what the server counts -----------------------------------------------------------

WORDS = ["Storm", "ferry", "fällt", "aus", "渡し船", "😀", "(update)", "e.g.", "3.5%", "—", "“quoted”", "ok"]
ENDINGS = ["", "/", "/a.b", "/path_(x)", "?q=1&r=2", "/a-b/", "/wiki/Mercury_(planet)"]


def _reference(text: str, link: str, warning: str) -> int:
    """The count for a text whose only link is ``link``: that link 23, everything else as written."""
    assert text.count(link) == 1
    return graphemes(warning + text.replace(link, "x" * 23))


@pytest.mark.parametrize("seed", range(40))
def test_a_composed_status_never_measures_more_than_the_server_counts(seed: int) -> None:
    rng = random.Random(seed)
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(130, 200)))
    link = "https://news.example.org/" + "".join(rng.choice("abc") for _ in range(rng.randint(1, 60)))
    link += rng.choice(ENDINGS)
    warning = rng.choice(["", "Storm", "CW: " + "weather " * rng.randint(1, 40)])
    template = rng.choice(["{title} ({link})", "{title}: {link}.", "{title} — {link}!", "{link}, {title}"])
    draft = compose(ItemFields(title=title, link=link), template, "mastodon", content_warning=warning)
    assert draft.fits, draft.notes
    server_count = _reference(draft.text, draft.link, warning)
    assert LIMIT - 20 < draft.measure.length == server_count <= LIMIT
    assert "title shortened" in " ".join(draft.notes)
