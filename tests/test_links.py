"""Link knowledge: shorteners, interstitial hosts and registered domains, offline."""

from __future__ import annotations

import pytest

from botwarden.links import is_interstitial, is_shortener, registered_domain


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://news.bbc.co.uk/a", "bbc.co.uk"),
        ("https://www.example.org/x", "example.org"),
        ("http://harbour.example/", "harbour.example"),
        ("https://a.b.harbour.example/", "harbour.example"),
    ],
)
def test_registered_domain(url: str, domain: str) -> None:
    assert registered_domain(url) == domain


def test_host_lists_match_subdomains_only_on_label_boundaries() -> None:
    assert is_shortener("https://bit.ly/x") and is_shortener("https://www.bit.ly/x")
    assert not is_shortener("https://notbit.ly/x")
    assert is_interstitial("http://go.adf.ly/1")
    assert not is_interstitial("https://harbour.example/")


def test_the_quick_host_of_a_link_is_the_host_urlsplit_finds() -> None:
    import random
    from urllib.parse import urlsplit

    from botwarden.links.knowledge import host_of

    pieces = ["https://", "http://", "HTTP://", "ftp://", "a", "B", "0", ".", "-", "_", "@", ":", "80",
              "[::1]", "/", "?", "#", "%41", "\t", "\n", " ", "é", "\\"]  # fmt: skip
    rng = random.Random(4)
    for _ in range(5000):
        url = rng.choice(pieces[:4]) + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        try:
            expected = (urlsplit(url).hostname or "").lower().rstrip(".")
        except ValueError:
            expected = ""
        assert host_of(url) == expected, repr(url)
