"""The rule engine core and the first built-in rules: each one caught, each one allowed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from botwarden.errors import ConfigError
from botwarden.pacing import PacingPolicy, QuietHours
from botwarden.rules import (
    AccountInfo,
    Action,
    CheckContext,
    Decision,
    Engine,
    Finding,
    MemoryHistory,
    PastPost,
    Registry,
    Severity,
    combine,
    load_registry,
)
from botwarden.rules.builtin import RULES
from botwarden.similarity import normalize, text_hash

T0 = datetime(2026, 3, 21, 12, 0, tzinfo=UTC)


def history(*posts: tuple[int, str], account: str = "a") -> MemoryHistory:
    """Posts made ``minutes`` before T0."""
    memory = MemoryHistory()
    for index, (minutes, text) in enumerate(posts):
        memory.add(PastPost(str(index), account, T0 - timedelta(minutes=minutes), text, text_hash(text)))
    return memory


def check(
    text: str,
    memory: MemoryHistory,
    *,
    pacing: PacingPolicy | None = None,
    status: str = "ok",
    network: str = "x",
    at: datetime = T0,
    **settings: object,
) -> tuple[Decision, list[str], object]:
    ctx = CheckContext(
        AccountInfo("a", network, status=status), memory, pacing or PacingPolicy(), dict(settings)
    )
    verdict = Engine().check(Action("n", "post", "a", at, text, network=network), ctx)
    return verdict.decision, verdict.codes, verdict


def test_clean_post_is_allowed_with_only_setup_info() -> None:
    decision, codes, verdict = check(
        "Fresh news https://e.org/1", history((60, "older news https://e.org/0"))
    )
    assert decision is Decision.ALLOW and codes == []
    # Only the setup rules speak, as info: this X account has no 'Automated' label and no operator in its bio.
    findings = {(f.code, f.severity) for f in verdict.findings}  # type: ignore[attr-defined]
    assert findings == {("BW951", Severity.INFO), ("BW952", Severity.INFO)}


def test_bw101_duplicate_denied_with_evidence() -> None:
    memory = history((120, "Lifeboat rescues two kayakers https://e.org/a #news"))
    decision, codes, verdict = check("BREAKING: lifeboat rescues two kayakers! https://e.org/b #News", memory)
    assert decision is Decision.DENY and codes == ["BW101"]
    finding = verdict.findings[0]  # type: ignore[attr-defined]
    assert finding.evidence["earlier_id"] == "0"
    assert "post something new" in finding.message


def test_bw101_window_is_a_setting() -> None:
    memory = history((60 * 24 * 40, "Same text"))
    assert check("Same text", memory)[0] is Decision.ALLOW
    assert check("Same text", memory, duplicate_window_days=60)[1] == ["BW101"]


def test_bw903_burst_delays_until_the_window_frees() -> None:
    memory = history((14, "one"), (10, "two"), (5, "three"))
    decision, codes, verdict = check("four", memory)
    assert decision is Decision.DELAY and codes == ["BW903"]
    assert verdict.not_before == T0 - timedelta(minutes=14) + timedelta(minutes=15)  # type: ignore[attr-defined]
    assert check("four", history((16, "one"), (10, "two"), (5, "three")))[0] is Decision.ALLOW


def test_bw902_daily_cap_delays_until_the_oldest_ages_out() -> None:
    memory = history(*[(60 * h + 30, f"post {h}") for h in range(5)])
    decision, codes, verdict = check("next", memory, pacing=PacingPolicy(daily_cap=5))
    assert decision is Decision.DELAY and codes == ["BW902"]
    oldest = T0 - timedelta(minutes=60 * 4 + 30)
    assert verdict.not_before == oldest + timedelta(hours=24)  # type: ignore[attr-defined]
    assert check("next", memory, pacing=PacingPolicy(daily_cap=6))[0] is Decision.ALLOW


def test_bw904_stopped_account_is_held() -> None:
    decision, codes, verdict = check("hello", history(), status="locked")
    assert decision is Decision.HOLD and codes == ["BW904"]
    assert "326" in verdict.findings[0].message  # type: ignore[attr-defined]


def test_bw906_too_long_is_denied_per_network() -> None:
    assert check("a" * 281, history())[1] == ["BW906"]
    assert check("a" * 281, history(), network="mastodon")[0] is Decision.ALLOW
    assert check("a" * 301, history(), network="bluesky")[1] == ["BW906"]


def test_bw907_quiet_hours_across_midnight_in_the_route_zone() -> None:
    pacing = PacingPolicy(quiet_hours=QuietHours.parse("22:00-07:00", "Europe/Berlin"))
    night = datetime(2026, 1, 10, 23, 30, tzinfo=UTC)  # 00:30 in Berlin
    decision, codes, verdict = check("x", history(), pacing=pacing, at=night)
    assert decision is Decision.DELAY and codes == ["BW907"]
    assert verdict.not_before == datetime(2026, 1, 11, 6, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    assert check("x", history(), pacing=pacing, at=datetime(2026, 1, 10, 12, tzinfo=UTC))[0] is Decision.ALLOW


def test_quiet_hours_within_one_day() -> None:
    quiet = QuietHours.parse("12:00-13:30")
    assert quiet.end_if_inside(datetime(2026, 1, 1, 12, 45, tzinfo=UTC)) == datetime(
        2026, 1, 1, 13, 30, tzinfo=UTC
    )
    assert quiet.end_if_inside(datetime(2026, 1, 1, 13, 30, tzinfo=UTC)) is None


def test_strongest_finding_decides_and_delay_takes_the_latest_time() -> None:
    later, sooner = T0 + timedelta(hours=2), T0 + timedelta(hours=1)
    findings = [
        Finding("BW903", "burst", Severity.DELAY, "m", not_before=sooner),
        Finding("BW907", "quiet-hours", Severity.DELAY, "m", not_before=later),
        Finding("BW105", "x", Severity.WARN, "m"),
    ]
    verdict = combine("1", findings)
    assert (verdict.decision, verdict.not_before) == (Decision.DELAY, later)
    assert verdict.codes == ["BW105", "BW903", "BW907"]
    held = combine("2", [*findings, Finding("BW904", "account-stopped", Severity.HOLD, "m")])
    assert (held.decision, held.not_before) == (Decision.HOLD, None)
    assert combine("3", [Finding("BW1", "s", Severity.INFO, "m")]).decision is Decision.ALLOW


def test_builtins_load_through_the_entry_point() -> None:
    registry = load_registry()
    assert [r.code for r in registry] == sorted(rule.code for rule in RULES)
    assert registry.get("duplicate-post") is registry.get("bw101")


def test_select_and_ignore_by_code_prefix_and_slug() -> None:
    registry = load_registry()
    selected = [r.code for r in registry.active(select=["BW90"])]
    assert selected == ["BW901", "BW902", "BW903", "BW904", "BW905", "BW906", "BW907", "BW908", "BW909"]
    assert "BW101" not in [r.code for r in registry.active(ignore=["duplicate-post"])]
    assert [r.code for r in registry.active(select=["BW1"], ignore=["BW10"])] == []
    with pytest.raises(ConfigError, match="matches no rule"):
        registry.active(select=["BW0"])


def test_registry_refuses_duplicate_codes() -> None:
    registry = Registry()
    registry.register(RULES[0]())
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(RULES[0]())


def test_every_rule_documents_itself() -> None:
    for rule in load_registry():
        assert rule.section and rule.summary.endswith(".") and len(rule.explanation) > 120, rule.code


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Storm hits coast https://a.example/1 #weather", "storm hits coast weather https://b.example/2"),
        ("BREAKING: Storm hits coast", "Storm hits coast"),
        ("Sunny ☀️ day", "Sunny ☀ day"),
        ("Ｆｕｌｌ width", "full width"),
    ],
)
def test_normalisation_folds_what_bots_vary(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Storm hits north coast", "Storm hits south coast"),
        ("Bookshelf #11", "Bookshelf #12"),
        ("The O of SOLID", "The S of SOLID"),
        ("Model View Presenters: View to Presenter", "Model View Presenters: Presenter to View"),
        ("Overnight low -5 °C", "Overnight low 5 °C"),
        ("Ferry leaves at 10:40", "Ferry leaves at 1040"),
        ("Start With No", "Start Here"),
    ],
)
def test_normalisation_keeps_real_differences(a: str, b: str) -> None:
    assert normalize(a) != normalize(b)
    assert text_hash(a) != text_hash(b)


def test_a_text_without_words_is_never_the_same_text() -> None:
    assert normalize("https://e.org/a") == "" and text_hash("https://e.org/a") == ""
    memory = history((60, "https://e.org/a"))
    assert check("https://e.org/b", memory)[0] is Decision.ALLOW


def test_the_ascii_normalisation_gives_the_words_of_the_unicode_one() -> None:
    import random

    from botwarden.similarity.normalize import _folded_ascii, _folded_unicode

    pieces = ["Storm", "HITS", "coast", " ", "  ", "\t", "\n", "BREAKING", "Breaking News", "just in",
              "Update", ":", " - ", "|", "https://X.com/a?b=1", "HTTP://e.org", "www.E.org/x", "Www.e.org",
              "#Tag", " #tag2", "@user", "it's", "a_b", "$5", "(x)", "...", "1,000", "\x1f", "e-mail",
              "!", "\x0b", "3", ".5", "-", "+", "10", ":", "/", "-7", "x-", ",", "2026-02-17"]  # fmt: skip
    rng = random.Random(3)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert _folded_ascii(text).split() == _folded_unicode(text).split(), repr(text)


def test_abusive_terms_match_threats_not_the_news_words_that_contain_them() -> None:
    from botwarden.language import abusive_terms

    terms = abusive_terms()
    for harmless in (
        "Rapeseed oil prices rise after a poor harvest",
        "Fire retardant dropped on the hillside blaze",
        "Flame-retardant foam recalled",
    ):
        assert terms.find(harmless) == [], harmless
    assert terms.find("I will rape you") == ["rape you"]
    assert terms.find("you are retarded") == ["retarded"]


def test_the_digit_count_before_the_phone_matcher_never_hides_a_number() -> None:
    """Text with too few digits for any valid number skips libphonenumber's matcher: random short and long
    numbers, with and without a country code, must be found exactly as the matcher alone finds them."""
    import random

    import phonenumbers

    from botwarden.privacy.found import _fewest_phone_digits, _phone_numbers

    # Four-digit Austrian or German numbers after their two-digit code; German text can have them alone.
    assert _fewest_phone_digits("US") == 6 and _fewest_phone_digits("DE") == 4
    pieces = ["+", "+683", "+49", "+43", "+1", "(", ")", "-", " ", ".", "0", "00", "011", "2026", "4002"]
    pieces += ["1234", "555", "0143", "202", "30", "7", "89", "٣", "call ", "in ", ", ", "x", "X", "%", "/"]
    pieces += ["ext. ", "a", "$", "\u3000", "\t", "(0)", "–", "["]
    rng = random.Random(13)
    found = 0
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 7)))
        for region in ("US", "DE", "NU"):
            matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
            expected = [match.raw_string for match in matcher]
            assert _phone_numbers(text, region) == expected, (text, region)
            found += bool(expected)
    assert found > 100  # the texts do hold numbers, short ones among them


def test_the_quick_looks_before_card_iban_and_ssn_patterns_never_hide_one() -> None:
    """Cards and SSNs are looked for only where a run of digits is long enough, IBANs only where one could
    start: on random text the findings of each kind are exactly what its full pattern and checksum find."""
    import random

    from stdnum import iban
    from stdnum.us import ssn

    from botwarden.privacy.found import _CARD, _IBAN, _SSN, _URL, PrivateMatch, _in_code, _is_card, find_data

    pieces = ["4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "411", "1111", "536-90-4399"]
    pieces += ["536", "90", "4399", "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "GB82", "WEST"]
    pieces += [" ", "-", ",", ".", "x", "a", "٣", "%", "\u3000", "/", "https://a.com/4111111111111111"]
    rng = random.Random(14)
    counts = {"card": 0, "iban": 0, "national_id": 0}
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        body = _URL.sub(lambda m: " " * len(m.group()), text)
        full = {
            "card": [m for m in _CARD.finditer(body) if _is_card(body, m)],
            "iban": [m for m in _IBAN.finditer(body) if iban.is_valid(m.group())],
            "national_id": [m for m in _SSN.finditer(body) if ssn.is_valid(m.group())],
        }
        expected = {
            kind: [
                m.group()
                for m in matches
                if not _in_code(body, PrivateMatch(kind, m.group(), m.start(), m.end()))
            ]
            for kind, matches in full.items()
        }
        found = find_data(text)
        for kind, matches in expected.items():
            assert [m.text for m in found if m.kind == kind] == matches, (text, kind)
            counts[kind] += len(matches)
    assert min(counts.values()) > 50, counts


def test_the_term_lists_quick_look_never_hides_a_term() -> None:
    import random

    from botwarden.language import abusive_terms, sensitive_terms

    rng = random.Random(12)
    hits = 0
    # Characters that test where a word ends: '_' and marks separate words, the Kelvin sign and the long s
    # fold to ASCII letters, U+0345 (a mark) folds to a letter, 'İ' folds to two characters.
    odd = ["the", "-", "É", "SS", " ", "_", "\u212a", "\u017f", "\u0345", "İ", "3"]
    extra = ("Straße", "naïve*", "f-word", "kys*", "$$cash", "İstanbul")
    for terms in (abusive_terms(), sensitive_terms(), abusive_terms(extra)):
        words = [w for t in terms.terms for w in t.replace("*", "x").split()] + odd
        for _ in range(3000):
            parts = [rng.choice([w, w.upper(), w.title()]) for w in rng.sample(words, 4)]
            text = "".join(part + rng.choice([" ", " ", "", "_", "\u0345", "-"]) for part in parts)
            expected = []
            for match in terms._pattern.finditer(text):
                if match.group().casefold() not in expected:
                    expected.append(match.group().casefold())
            assert terms.find(text) == expected, text
            hits += bool(expected)
    assert hits > 1000


def test_findings_quote_times_to_the_minute_as_strftime_would() -> None:
    from datetime import timezone

    from botwarden.rules.model import minute

    for at in (datetime(2026, 3, 21, 12, 5, 59, 999, tzinfo=UTC), datetime(2026, 1, 2, 3, 4),
               datetime(2026, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-5)))):  # fmt: skip
        assert minute(at) == f"{at:%Y-%m-%d %H:%M}"


def test_the_rolling_window_of_a_memory_history_leaves_out_its_start() -> None:
    from botwarden.rules.context import posts_after

    history = MemoryHistory()
    t0 = datetime(2026, 3, 21, tzinfo=UTC)
    for n in range(10):  # two posts at each time
        history.add(PastPost(f"p{n}", "a", t0 + timedelta(hours=n // 2), f"post {n}", text_hash(f"post {n}")))
    hour = timedelta(hours=1)
    for start, end in [(t0, t0 + 4 * hour), (t0 - hour, t0), (t0 + hour, t0 + 3 * hour)]:
        expected = [p for p in history.posts_between("a", start, end) if p.at > start]
        assert history.posts_after("a", start, end) == expected == posts_after(history, "a", start, end)
        assert history.posts_after("nobody", start, end) == posts_after(history, "nobody", start, end) == []
