"""One item's exact post text for one network, made to fit.

When the filled template is too long, the summary is shortened first, then the title; the link is never
cut. Lengths are measured with :func:`botwarden.text.measure`, exactly as the network counts them (on
Mastodon together with the route's content warning). Control and direction-override characters are
removed from the composed text, whether they came from the feed or the template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import regex

from botwarden.compose.hashtags import hashtags_for, is_trending
from botwarden.compose.links import canonical_link
from botwarden.compose.plain import plain_text, without_controls
from botwarden.compose.template import render
from botwarden.text import Measure, measure

ELLIPSIS = "…"
_GRAPHEME = regex.compile(r"\X")
_HASHTAG = regex.compile(r"(?<![\w&])#([\p{L}\p{N}_]+)")


@dataclass(frozen=True, slots=True)
class ItemFields:
    """What a template can use from an item."""

    title: str
    link: str
    summary: str = ""
    categories: tuple[str, ...] = ()
    feed_title: str = ""
    author: str = ""
    published: str = ""


@dataclass(frozen=True, slots=True)
class HashtagPolicy:
    from_categories: bool = True
    limit: int = 2
    fixed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Draft:
    """The text to post on one network, its measure, and what composing had to change."""

    network: str
    text: str
    link: str
    measure: Measure
    hashtags: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    dropped_hashtags: tuple[str, ...] = ()  # composer-added tags left out because they trend (BW201)

    @property
    def fits(self) -> bool:
        return self.measure.valid


def shorten(text: str, keep: int) -> str:
    """At most ``keep`` graphemes of ``text``, cut at a word boundary when one is near, plus '…'."""
    clusters = _GRAPHEME.findall(text)
    if len(clusters) <= keep:
        return text
    if keep <= 1:
        return "" if keep <= 0 else ELLIPSIS
    head = "".join(clusters[: keep - 1])
    space = head.rfind(" ")
    if space >= len(head) * 0.6:  # prefer a whole word unless that throws away too much
        head = head[:space]
    return head.rstrip(" ,;:.-–—") + ELLIPSIS


def compose(
    item: ItemFields,
    template: str,
    network: str,
    *,
    limit: int | None = None,
    hashtags: HashtagPolicy = HashtagPolicy(),
    trending: frozenset[str] = frozenset(),
    content_warning: str = "",
    tracking: frozenset[str] = frozenset(),
) -> Draft:
    """Fill ``template`` with ``item`` for ``network``, shortening summary then title to fit. A hashtag
    the composer would add that is in ``trending`` (case-folded terms) is left out and reported. The
    ``content_warning`` a Mastodon status carries counts towards its limit, so the text makes room for it.
    ``tracking`` names the operator's own tracking parameters, removed from the link with the built-in
    ones."""
    link = canonical_link(without_controls(item.link), tracking)
    template = without_controls(template)
    values = {
        "title": plain_text(item.title),
        "summary": plain_text(item.summary),
        "link": link,
        "hashtags": "",
        "feed_title": plain_text(item.feed_title),
        "author": " ".join(without_controls(item.author).split()),
        "published": without_controls(item.published),
    }
    # The item's own hashtags count towards the limit and are not added twice, so that the post never
    # carries more than the policy allows (BW105 warns above hashtag_max, which the default limit equals).
    own = _HASHTAG.findall(render(template, values))
    categories = item.categories if hashtags.from_categories else ()
    candidates = hashtags_for(categories, fixed=hashtags.fixed, limit=len(categories) + len(hashtags.fixed))
    taken = {tag.casefold() for tag in own}
    tags, dropped = _tags(
        [tag for tag in candidates if tag[1:].casefold() not in taken],
        max(0, hashtags.limit - len(own)),
        trending,
    )
    values["hashtags"] = " ".join(tags)
    notes: list[str] = []
    if link != item.link.strip():
        notes.append("tracking parameters removed from the link")
    if dropped:
        notes.append(f"trending hashtag(s) left out: {' '.join('#' + t for t in dropped)}")

    def attempt(trial: dict[str, str]) -> tuple[str, Measure]:
        text = render(template, trial)
        return text, measure(text, network, limit=limit, content_warning=content_warning)

    text, size = attempt(values)
    for name in ("summary", "title"):
        if size.valid or not values[name]:
            continue

        def fits(value: str, name: str = name) -> bool:
            return attempt(dict(values, **{name: value}))[1].valid

        values[name] = _fit_field(values[name], fits)
        notes.append(f"{name} shortened to fit {size.limit}")
        text, size = attempt(values)
    return Draft(network, text, link, size, tags, tuple(notes), dropped)


def _tags(
    candidates: list[str], limit: int, trending: frozenset[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The first ``limit`` tags that do not trend, and the trending ones passed over to get them."""
    kept: list[str] = []
    dropped: list[str] = []
    for tag in candidates:
        if len(kept) >= limit:
            break
        (dropped if is_trending(tag, trending) else kept).append(tag)
    return tuple(kept), tuple(tag.lstrip("#") for tag in dropped)


def _fit_field(value: str, fits: Callable[[str], bool]) -> str:
    """The longest shortening of ``value`` for which ``fits`` holds ('' when none does)."""
    low, high = 0, len(_GRAPHEME.findall(value))
    best = ""
    while low <= high:
        mid = (low + high) // 2
        candidate = shorten(value, mid)
        if fits(candidate):
            best, low = candidate, mid + 1
        else:
            high = mid - 1
    return best
