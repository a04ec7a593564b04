"""Content rules by meaning: who a post mentions on each network (BW106, BW406), requests for private data
in any wording and order (BW503, BW504), and whose private data a post holds (BW801)."""

from __future__ import annotations

import random
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

from botwarden.language.mentions import (
    bluesky_mentions,
    mastodon_mentions,
    mentions_in,
    x_mentions,
    x_mentions_or_lists,
)
from botwarden.privacy import asks_for_private_info, asks_for_sensitive_info, asks_in, find_private_data
from botwarden.privacy.found import find_data

# -- mentions ----------------------------------------------------------------------------------------------


def _extract_cases(shared: Path, section: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((shared / "conformance/twitter-text/extract.yml").read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = data["tests"][section]
    assert cases
    return cases


def test_x_mentions_follow_the_twitter_text_conformance_suite(shared: Path) -> None:
    for case in _extract_cases(shared, "mentions"):
        assert [m.handle for m in x_mentions(case["text"])] == case["expected"], case["description"]
    for case in _extract_cases(shared, "mentions_with_indices"):
        found = [{"screen_name": m.handle, "indices": [m.start, m.end]} for m in x_mentions(case["text"])]
        assert found == case["expected"], case["description"]
    for case in _extract_cases(shared, "mentions_or_lists_with_indices"):
        found = [
            {"screen_name": m.handle, "list_slug": slug, "indices": [m.start, m.end + len(slug)]}
            for m, slug in x_mentions_or_lists(case["text"])
        ]
        assert found == case["expected"], case["description"]


def test_the_letters_that_end_no_x_mention_are_twitter_texts_own() -> None:
    import regex

    from botwarden.language.mentions import _X_NOT_AFTER

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from twitter_text.regexp.latin_accent_chars import latin_accent_chars
    theirs = regex.compile(f"[@＠{latin_accent_chars.pattern}]")
    differ = [
        c for c in range(0x30000) if bool(theirs.fullmatch(chr(c))) != bool(_X_NOT_AFTER.fullmatch(chr(c)))
    ]
    assert differ == []


def test_bluesky_mentions_are_the_handles_atproto_detects() -> None:
    """Random text made of handles, near-handles and the characters around them: the same handles, at the
    same places, as atproto's own rich-text detection."""
    from atproto_client.utils import detect_mentions

    pieces = ["@", "alice", ".", "bsky", "social", "test", "-", "x", " ", "\n", "(", ")", "é", "1", "a@b",
              "com", "dev", "@@", "\u00a0", "invalidtld", "_", "..", "co.uk", "sub.example.org", " @alice",
              " @bob.test", "(@x.com", "@a-b.social", "@9.dev"]  # fmt: skip
    rng = random.Random(21)
    found = 0
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 10)))
        theirs = [(m.handle, len(text.encode()[: m.byte_start].decode())) for m in detect_mentions(text)]
        ours = [(m.handle, m.start) for m in bluesky_mentions(text)]
        assert ours == theirs, repr(text)
        found += len(ours)
    assert found > 300


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thanks @gus and @fred@harbour.social!", ["gus", "fred@harbour.social"]),
        ("Via @russss@chaos.social.", ["russss@chaos.social"]),
        ("RT @ana: nice", ["ana"]),
        ("mail me: jane@example.org", []),  # an e-mail address
        ("see https://mastodon.social/@gus", []),  # a URL
        ("a=@gus", []),
        ("Web Key Directory for @debian.org e-mail addresses", []),  # no local name has a dot
        ("Sass 3.3's @at-root", []),  # nor a hyphen
        ("@Gus @gus @GUS", ["Gus"]),
    ],
)
def test_mastodon_mentions_follow_its_mention_pattern(text: str, expected: list[str]) -> None:
    assert mentions_in(text, "mastodon") == expected
    assert [m.handle for m in mastodon_mentions(text)][: len(expected)] == expected or not expected


@pytest.mark.parametrize(
    ("text", "network", "expected"),
    [
        # Code that starts with '@' is nobody's handle, whatever the network would link.
        ("So how does this whole @preconcurrency thing work?", "x", []),
        ("the absence of support for @media queries is in fact the first @media query", "x", []),
        ("It's built on top of the `@vue/reactivity` package", "x", []),
        ("@seneca/repl Version 6 Released!", "mastodon", []),
        ("SE-0431: `@isolated(any)` Function Types", "x", []),
        ("Mark it @MainActor and @Sendable", "mastodon", []),
        ("Use `@gus` in the config", "x", []),  # inside a code span
        # ... but real handles are mentions.
        ("Ugly Sloppy Orca @marknormand @JoeListComedy", "x", ["marknormand", "JoeListComedy"]),
        ("Ugly Sloppy Orca @marknormand @JoeListComedy", "mastodon", ["marknormand", "JoeListComedy"]),
        ("Ugly Sloppy Orca @marknormand @JoeListComedy", "bluesky", []),  # no handle without a domain
        ("Now @Swizec teaches #D3js", "x", ["Swizec"]),
        ("Media people: @media@mastodon.social", "mastodon", ["media@mastodon.social"]),
        # A fediverse address is no mention on X; a Bluesky handle is part of one.
        ("Via @russss@chaos.social.", "x", []),
        ("Photo by @alice.bsky.social", "x", ["alice"]),
        ("Photo by @alice.bsky.social", "bluesky", ["alice.bsky.social"]),
        ("for @debian.org e-mail addresses", "bluesky", ["debian.org"]),
        ("for @debian.org e-mail addresses", "x", ["debian"]),
        # No network named: at each '@', the longest handle any network would make of it.
        (
            "Photo by @alice.bsky.social, via @gus@harbour.social",
            "",
            ["alice.bsky.social", "gus@harbour.social"],
        ),
    ],
)
def test_mentions_are_what_the_network_would_mention(text: str, network: str, expected: list[str]) -> None:
    assert mentions_in(text, network) == expected


# -- requests for private data -----------------------------------------------------------------------

ASKED_IN_PUBLIC = [
    "Win a prize! Tweet us your phone number and date of birth to enter.",
    "Sorry about that! Please reply with your full card number and your home address so we can check.",
    "Could you reply with your full card number and your home address?",
    "Your date of birth and mobile number, please – winners drawn Friday!",
    "Phone number + DOB in the replies 👇 to enter",
    "What's your date of birth? Reply below for a birthday treat.",
    "We'll need your passport number to complete the booking.",
    "Comment your e-mail below and I'll send you the guide",
    "Let us know your address and we'll send a free sample",
    "Your card number and home address: reply with them here and we'll sort it.",
    "Entries must include your full name, date of birth and phone number.",
    "Your date of birth is required – reply below.",
    "All we need is your bank details and we'll pay you out today!",
    "May we have your home address for the delivery?",
    "Reply YES with your long card number to claim your refund.",
    "RT and reply with your email address to win a signed copy.",
    "Reply with the 6-digit verification code we just sent you.",
    "Kindly provide your SSN and mother's maiden name for verification.",
    "Send us your Netflix password and we'll fix the account.",
    "DM us your card number and we'll refund you.",  # sensitive data belongs on the website, not in a DM
    "Don't forget to send us your phone number!",
    "Hi! Can u send ur phone number pls",
    "Comment below with your email and we'll DM you the link",  # the DM is the link's way, not the data's
    "Send the last four digits of your SSN to confirm.",
]

NOT_ASKED = [
    "Problem with an order? DM us your order number and we'll help.",  # personal data, by direct message
    "Please send us a direct message with your phone number and we'll call you back.",
    "To claim, please enter your card details on our secure page: https://shop.example/refund",
    "Enter your email address to subscribe to this blog and receive notifications of new posts by email.",
    "Never share your password or PIN with anyone, police warn.",
    "Banks will never ask for your PIN or full card number by text.",
    "A fake delivery text asks you to reply with your card number.",
    "How to change your password on Gmail",
    "Apple now lets you share your phone number with nearby iPhones.",
    "Share Your Phone Number With Contacts Using NameDrop",
    "Tell us your favourite number in the replies!",
    "Share your birthday plans with us!",
    "Send me the address of the venue and I'll be there.",
    "What's your phone number worth to data brokers? A new study finds out.",
    "Put it on your phone and take it anywhere.",
    "Ever wondered why your password manager generates those impossibly random passwords?",
    "If you prefer to avoid handing over cash or your credit card, ask them if they take Venmo.",
    "Add your new email address to your Google account as an alternate email.",
    "Bring your photo ID to vote on Thursday.",
    "Post your address change request online",
    "state = { email: '', password: '' }",
    "Drop ur number in my DMs",
    "Send us your address by direct message please",
]


@pytest.mark.parametrize("text", ASKED_IN_PUBLIC)
def test_a_request_for_private_data_is_found_in_any_wording_and_order(text: str) -> None:
    ask = asks_for_private_info(text)
    assert ask is not None, text
    assert ask.kinds and ask.phrase and ask.phrase in text


@pytest.mark.parametrize("text", NOT_ASKED)
def test_advice_warnings_descriptions_and_private_channels_are_not_public_requests(text: str) -> None:
    assert asks_for_private_info(text) is None, asks_in(text)


def test_a_request_names_what_it_asks_for_and_where_it_should_go() -> None:
    ask = asks_for_private_info("Win a prize! Tweet us your phone number and date of birth to enter.")
    assert ask is not None
    assert ask.kinds == ("phone number", "date of birth") and ask.channel == "public"
    assert ask.phrase == "Tweet us your phone number and date of birth"
    dm = asks_in("DM us your order number and your card number")[0]
    assert dm.channel == "private" and dm.sensitive and dm.personal


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("To refund you, please confirm your card number and expiry date.", True),
        ("What's your PIN?", True),
        ("Reply with the code we just texted you to unlock the account.", True),
        ("Please send a photo of your passport.", True),
        ("You can update your card details securely at https://shop.example/account", False),
        ("What's your order number? We'll look it up.", False),  # personal data may be asked in a message
        ("Please send us your delivery address.", False),
        ("We will never ask for your password.", False),
    ],
)
def test_a_message_asking_for_particularly_sensitive_data_is_held(text: str, held: bool) -> None:
    assert (asks_for_sensitive_info(text) is not None) is held, text


def test_the_quick_look_before_reading_never_hides_a_request() -> None:
    """Most posts are passed over on their word set alone; on random text mixing every shape of request,
    the requests found are exactly those a full reading of every sentence finds."""
    from botwarden.language.tokens import words_of
    from botwarden.privacy.asks import _REPORTED, _read

    pieces = ["Send", "us", "your", "ur", "DM", "reply with", "What's", "what is", "tell", "enter", "below",
              "phone number", "card details", "PIN", "password", "address", "e-mail", "D.O.B.",
              "date of birth", "Date-of-Birth", "ID number", "sort code", "one-time code", "the code we sent",
              "please", "?",
              "👇", "need", "we'll", "May we have", "all I need is", "is required", "them", "here", "and",
              ",", ".", "!", " ", "never", "how to", "mother’s maiden name", "Netflix", "news", "\n", "'",
              "by replying with", "Could you", "let us know", "ſend", "K", "_", "the", "number"]  # fmt: skip
    rng = random.Random(17)
    found = 0
    for _ in range(6000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 9)))
        for in_message in (False, True):
            full = [] if not _REPORTED.isdisjoint(words_of(text)) else _read(text, in_message)
            assert asks_in(text, in_message=in_message) == full, repr(text)
            found += bool(full)
    assert found > 1000


# -- whose private data ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Lost dog near the pier, owner Jane can be reached on (415) 555-2671.",
        "Lost dog found at the pier, call +1 202-555-0143",
        "Police say the suspect lives at 14 Elm Street, Springfield.",
        "John Smith, 42, of 12 Oak Street, was fined £200.",
        "Complaints about noise from 42 Harbour Road go to jane.doe@example.org",
        "My neighbour's number is 415-555-2671, call him",
        "Found a wallet with card 4111 1111 1111 1111 inside",
        "Her SSN is 536-90-4399.",
        "Jane Doe, 12 Oak Street, Springfield",
    ],
)
def test_a_persons_private_data_is_found(text: str) -> None:
    assert find_private_data(text), text


@pytest.mark.parametrize(
    "text",
    [
        # Listings for sale, businesses and venues are places, not homes.
        "1885 Queen Anne in San Francisco, CA $7,350,000 - 250 Douglass Street is a rare heritage trophy "
        "property built in 1885",
        "c. 1916 in Hartsville, SC $374,900 - Welcome to 310 W College Ave, a stunning residence",
        "The new café opens at 45 King Street on Saturday.",
        "Harbour Cafe, 12 Oak Street, opens today",
        # A model number after a brand is no house number.
        "The Ultimate Commodore 1541 Disk Drive Talk [video]",
        # A newsroom's, a company's and an author's own contact details are published to be used.
        "Got a tip? Call our newsdesk on (212) 555-0188 or email tips@example.com",
        "Copyright, The Boston Systems Office, Inc. 1978 (617) 894-7800",
        "For the moment, all email to me should go to my new email address: waburt@mail.com",
        "Contact me for more info at waburt@mail.com",
        "Apply to this job by sending an email to hrishi@learnetto.com with your CV",
        "set up my own firstname@lastname.com email address in Gmail",
        "Call the free helpline on 1-800-273-8255",  # toll-free: no person holds it
        # Shaped like data, and not data.
        "Edição atual da lista: 2017 2018 2019 2020",  # years, though they pass the Luhn check
        "git clone git@github.com:jtemporal/Wall-E.git",
        "msgrcv@libc.so.6(0x10002, 0x5634e4d2db08, 4712)",
        'private String email = "zzzed@gmail.com";',
        "Elapsed time: 19403.375319 msecs",
        'serverEndpoint : "21.55.179.245:7233"',
        "HResult=-2146234347 Message=Error while unloading appdomain.",
        "Via @russss@chaos.social.",
    ],
)
def test_public_contact_details_places_and_look_alikes_are_not_a_persons(text: str) -> None:
    assert find_private_data(text) == [], find_data(text)


def test_evidence_says_where_each_match_stands() -> None:
    text = "Police say the suspect lives at 14 Elm Street and can be reached on (415) 555-2671."
    found = find_private_data(text)
    assert [(m.kind, text[m.start : m.end]) for m in found] == [
        ("street_address", "14 Elm Street"),
        ("phone", "(415) 555-2671"),
    ]


def _check(action: dict[str, Any], network: str = "x") -> dict[str, Any]:
    import json

    from botwarden.replay import Replay, read_lines

    lines = [
        {"type": "account", "id": "a", "network": network, "operator": "o", "automated_label": True,
         "bio": "run by @o", "bot_flag": True},
        {"type": "opt_in", "account": "a", "user": "gus", "at": "2026-03-21T08:00:00Z", "via": "mention"},
        {"type": "action", "id": "1", "account": "a", "at": "2026-03-21T09:00:00Z", **action},
    ]  # fmt: skip
    parsed = read_lines([json.dumps(line) for line in lines], "test")
    verdict: dict[str, Any] = next(iter(Replay().run(parsed, "test"))).to_json()
    return verdict


def test_a_mention_of_code_needs_no_opt_in_but_a_mention_of_a_person_does() -> None:
    code = _check({"kind": "mention", "target_user": "gus", "text": "@gus fixed: it was the @media query"})
    assert "BW406" not in code["codes"]
    person = _check({"kind": "mention", "target_user": "gus", "text": "@gus fixed, thanks to @fred"})
    assert [f["evidence"]["user"] for f in person["findings"] if f["code"] == "BW406"] == ["fred"]
    remote = _check({"kind": "mention", "target_user": "gus", "text": "@gus cc @fred@harbour.social"}, "x")
    assert "BW406" not in remote["codes"]  # no mention on X
    on_mastodon = _check(
        {"kind": "mention", "target_user": "gus", "text": "@gus cc @fred@harbour.social"}, "mastodon"
    )
    assert [f["evidence"]["user"] for f in on_mastodon["findings"] if f["code"] == "BW406"] == [
        "fred@harbour.social"
    ]


def test_the_rules_explain_what_was_asked_for() -> None:
    verdict = _check({"kind": "post", "text": "Win a prize! Tweet us your phone number and date of birth."})
    finding = next(f for f in verdict["findings"] if f["code"] == "BW503")
    assert finding["evidence"]["asks_for"] == ["phone number", "date of birth"]
    assert "ask by direct message" in finding["message"]
    held = _check({"kind": "post", "text": "DM us your card number and we'll refund you."})
    finding = next(f for f in held["findings"] if f["code"] == "BW503")
    assert "website" in finding["message"] and finding["evidence"]["channel"] == "private"
