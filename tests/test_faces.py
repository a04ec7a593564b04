"""The faces other code depends on are pinned: what each public package exports, the type marker, the one
exception hierarchy, retired rule codes, and the network adapters' transport seam.

A change here is a change of botwarden's public face: make it on purpose, and say so in CHANGES.md."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from datetime import UTC, datetime
from importlib import resources
from typing import ClassVar

import httpx
import pytest

import botwarden
from botwarden import errors
from botwarden.errors import BotwardenError, ConfigError
from botwarden.networks import MemoryCredentials, OutcomeKind, Post
from botwarden.networks.mastodon import MastodonNetwork
from botwarden.networks.x import XNetwork
from botwarden.rules import Rule, Severity, load_registry
from botwarden.rules.registry import Registry
from botwarden.rules.retired import RETIRED, Retired

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

FACES = {
    "botwarden.rules": [
        "AccountInfo",
        "Action",
        "AttachedMedia",
        "Campaign",
        "CheckContext",
        "Decision",
        "Engine",
        "Finding",
        "History",
        "MemoryHistory",
        "PastPost",
        "Registry",
        "ReplyTarget",
        "Rule",
        "Severity",
        "Verdict",
        "combine",
        "load_registry",
    ],
    "botwarden.checking": [
        "Checks",
        "Fault",
        "FleetChecks",
        "Pacing",
        "configured_account",
        "gather",
        "strictest",
        "with_approvals",
    ],
    "botwarden.compose": [
        "DEFAULT_TEMPLATE",
        "Draft",
        "HashtagPolicy",
        "ItemFields",
        "TemplateError",
        "canonical_link",
        "compose",
        "fields_of",
        "hashtags_for",
        "render",
        "shorten",
        "to_hashtag",
    ],
    "botwarden.consent": ["Consent", "ConsentLedger", "Contact", "OptIn", "Standing", "is_opt_out_message"],
    "botwarden.diagnose": [
        "Analysis",
        "Diagnosis",
        "Export",
        "HistoryPost",
        "ImportLimits",
        "Lock",
        "diagnose",
        "dumps",
        "load_export",
        "parse_lock",
        "posts_from_store",
        "print_summary",
        "read_export",
        "read_trends",
        "resolve_links",
        "to_html",
    ],
    "botwarden.errors": [
        "BotwardenError",
        "ConfigError",
        "FeedError",
        "InputError",
        "InvalidTransition",
        "MediaError",
        "NetworkUnavailable",
        "StoreError",
        "TemplateError",
        "UnsafeURLError",
    ],
    "botwarden.feeds": [
        "Enclosure",
        "Feed",
        "FetchLimits",
        "FetchResult",
        "Item",
        "MediaRef",
        "content_hash",
        "fetch_feed",
        "item_identity",
        "parse",
    ],
    "botwarden.language": ["TermList", "abusive_terms", "sensitive_terms"],
    "botwarden.privacy": [
        "Ask",
        "PrivateMatch",
        "asks_for_private_info",
        "asks_for_sensitive_info",
        "asks_in",
        "find_data",
        "find_private_data",
    ],
    "botwarden.links": [
        "Blocklist",
        "Resolution",
        "ResolveLimits",
        "hop_kinds",
        "host_of",
        "is_interstitial",
        "is_shortener",
        "registered_domain",
        "resolve_chain",
        "resolve_many",
    ],
    "botwarden.media": [
        "COUNTS",
        "LIMITS",
        "STORED",
        "Image",
        "MediaFetchLimits",
        "MediaLimits",
        "PageImage",
        "Picture",
        "alt_text",
        "candidates",
        "chosen",
        "clean",
        "fetch_image",
        "fetch_page_image",
        "fit",
        "limits_for",
        "prepare_images",
    ],
    "botwarden.networks": [
        "PUBLISHING_NETWORKS",
        "RETRY_LATER",
        "STOPS_ACCOUNT",
        "Credentials",
        "FaultPlan",
        "InboundMessage",
        "LinkCard",
        "LocalNetwork",
        "Media",
        "MemoryCredentials",
        "Network",
        "NetworkUnavailable",
        "Outcome",
        "OutcomeKind",
        "Post",
        "Profile",
    ],
    "botwarden.limits": [
        "USES",
        "Limit",
        "Limits",
        "builtin_limits",
        "fixed_window_start",
        "parse_window",
        "read_file",
    ],
    "botwarden.pacing": [
        "PacingPolicy",
        "QuietHours",
        "Window",
        "app_windows",
        "daily_caps",
        "media_windows",
        "post_windows",
    ],
    "botwarden.replay": ["Replay", "read_lines"],
    "botwarden.similarity": [
        "Match",
        "SimilarityIndex",
        "differences",
        "jaccard",
        "normalize",
        "similarity",
        "text_hash",
        "words",
    ],
    "botwarden.store": [
        "DatabaseError",
        "InvalidTransition",
        "QueueEntry",
        "Reader",
        "Sessions",
        "StandingConnection",
        "State",
        "StoreHistory",
        "Transaction",
        "make_engine",
        "migrate",
        "open_store",
        "rolled_back",
        "safe_url",
        "session_factory",
        "transition",
        "unreachable",
    ],
    "botwarden.web": ["create_app"],
}
# Packages that are no library face: the command line, the running service, the demo.
NOT_FACES = {"botwarden.cli", "botwarden.run", "botwarden.demo"}


@pytest.mark.parametrize("name", sorted(FACES))
def test_each_public_face_exports_what_is_pinned(name: str) -> None:
    module = importlib.import_module(name)
    assert sorted(module.__all__) == sorted(FACES[name])
    for exported in module.__all__:
        assert hasattr(module, exported), f"{name}.__all__ names {exported}, which it does not have"


def test_every_package_is_pinned_or_named_as_no_face() -> None:
    packages = {f"botwarden.{m.name}" for m in pkgutil.iter_modules(botwarden.__path__) if m.ispkg}
    assert packages <= set(FACES) | NOT_FACES, sorted(packages - set(FACES) - NOT_FACES)


def test_the_package_says_it_is_typed() -> None:
    assert resources.files("botwarden").joinpath("py.typed").is_file()


# -- one exception hierarchy --------------------------------------------------------------------------

# Exceptions that never reach a caller of the library: each is caught in the module that raises it.
INTERNAL_SIGNALS = {
    "botwarden.web.errors.ApiError": "an HTTP answer, turned into the API's one error shape",
    "botwarden.web.dashboard.LoginNeeded": "sends the browser to the login page",
    "botwarden.feeds.fastentry.Declined": "the fast parser hands a feed to feedparser",
    "botwarden.diagnose.bounds.RecordError": "one record of an export is skipped with a note",
    "botwarden.networks.bluesky._LoginBudgetSpent": "a login refused for the day, mapped to an outcome",
    "botwarden.compose.filters.PatternError": "a bad filter pattern, reported as the configuration's error",
    "botwarden.web.load._TooLarge": "a request body past the limit, answered 413",
}


def _modules() -> list[str]:
    skip = ("botwarden.__main__", "botwarden.store.migrations")
    found = pkgutil.walk_packages(botwarden.__path__, "botwarden.")
    return [m.name for m in found if not m.name.startswith(skip)]


def test_every_exception_botwarden_raises_to_its_callers_is_in_errors() -> None:
    outside = set()
    for name in _modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == name and name != "botwarden.errors":
                outside.add(f"{name}.{cls.__qualname__}")
    assert outside == set(INTERNAL_SIGNALS)


def test_every_error_is_a_botwarden_error_drawn_in_the_hierarchy() -> None:
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, BotwardenError)
        assert name in (errors.__doc__ or ""), f"{name} is missing from the tree in errors.py's docstring"


# -- retired rule codes -------------------------------------------------------------------------------


class _Probe(Rule):
    code = "BW199"
    slug = "probe-rule"
    severity = Severity.WARN
    section = "a test"
    summary = "a rule made to test the registry"
    explanation = "It finds nothing."
    kinds: ClassVar[frozenset[str]] = frozenset({"post"})


def test_no_live_rule_takes_a_retired_code_or_slug() -> None:
    live = {key for rule in load_registry() for key in (rule.code, rule.slug)}
    assert not live & {key for r in RETIRED for key in (r.code, r.slug)}


def test_the_registry_refuses_a_retired_code_and_slug_and_says_what_it_was() -> None:
    registry = Registry(retired=[Retired("BW199", "old-probe", "0.1.0", "merged into BW101")])
    with pytest.raises(ValueError, match=r"BW199 belonged to BW199 old-probe, retired in 0\.1\.0"):
        registry.register(_Probe())

    class Renamed(_Probe):
        code = "BW198"
        slug = "old-probe"

    with pytest.raises(ValueError, match="never reused"):
        registry.register(Renamed())
    with pytest.raises(ConfigError, match=r"retired in 0\.1\.0"):
        registry.active(ignore=["BW199"])


# -- the transport seam of the network adapters --------------------------------------------------------


def test_the_x_adapter_publishes_through_a_given_transport() -> None:
    seen: list[httpx.Request] = []

    def x(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"data": {"id": "1850", "text": json.loads(request.content)["text"]}})

    creds = MemoryCredentials(
        {
            "news": {
                "consumer_key": "ck",
                "consumer_secret": "cs",
                "access_token": "at",
                "access_token_secret": "as",
            }
        }
    )
    network = XNetwork(creds, base_url="https://api.x.test", transport=httpx.MockTransport(x))
    outcome = network.publish("news", Post(text="Ferry back on time", idempotency_key="k1"), at=NOW)
    assert outcome.kind is OutcomeKind.POSTED and outcome.remote_id == "1850"
    [request] = seen
    assert str(request.url) == "https://api.x.test/2/tweets"
    assert request.headers["authorization"].startswith("OAuth ")


def test_the_mastodon_adapter_publishes_through_a_given_transport() -> None:
    seen: list[httpx.Request] = []

    def mastodon(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "110", "content": "<p>Ferry back on time</p>"})

    creds = MemoryCredentials({"social": {"access_token": "tok"}})
    network = MastodonNetwork(
        creds, {"social": "https://social.test"}, transport=httpx.MockTransport(mastodon)
    )
    outcome = network.publish("social", Post(text="Ferry back on time", idempotency_key="k2"), at=NOW)
    assert outcome.kind is OutcomeKind.POSTED and outcome.remote_id == "110"
    [request] = seen
    assert str(request.url) == "https://social.test/api/v1/statuses"
    assert request.headers["idempotency-key"] == "k2"
    assert request.headers["authorization"] == "Bearer tok"
