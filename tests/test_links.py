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
