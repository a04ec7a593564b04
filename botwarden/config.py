"""The operator's configuration file (TOML): settings, accounts, feeds and routes.

Loading validates everything before anything starts, and a problem is reported with the file, the key
and what is wrong (``botwarden.toml: routes[1].pacing.quiet_hours: ...``).
"""

from __future__ import annotations

import functools
import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from botwarden import settings as settings_table
from botwarden.compose import DEFAULT_TEMPLATE, HashtagPolicy, TemplateError, fields_of
from botwarden.compose.filters import Filters, PatternError, parse_pattern
from botwarden.errors import ConfigError
from botwarden.feeds.fetch import FetchLimits
from botwarden.limits import Limits, builtin_limits
from botwarden.media.limits import STORED, MediaLimits, limits_for
from botwarden.netguard import AddressPolicy
from botwarden.pacing import PacingPolicy, QuietHours, daily_caps
from botwarden.rules.model import AccessLevel
from botwarden.typed_settings import Settings

DEFAULT_PATH = settings_table.DEFAULT_CONFIG_PATH
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
FILTER_FIELDS = ("title", "summary", "link", "categories", "author")


if TYPE_CHECKING:  # what fetching needs is loaded by what fetches, not by every command reading the file
    from botwarden.feeds.fetch import FetchLimits
    from botwarden.netguard import AddressPolicy
    from botwarden.rules.overrides import Override
    from botwarden.rules.registry import Registry


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AccountConfig(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    network: Literal["local", "x", "mastodon", "bluesky"]
    operator: str = "default"
    handle: str = ""
    char_limit: int | None = Field(default=None, ge=1, description="the server's own limit (Mastodon)")
    daily_cap: int | None = Field(default=None, ge=0)
    spend_cap_usd: float | None = Field(default=None, ge=0, description="BW905, over the setting")
    # Where the account lives: the Mastodon server, the Bluesky PDS (default https://bsky.social) or the
    # X API (default: the x_api_url setting).
    server: str = ""
    # The account is marked (on its network) as posting sensitive media: BW802 lets such media through.
    sensitive_media: bool = False
    # Hashtags the server's policy for bots requires on every post (e.g. a Mastodon server's "#bot").
    required_hashtags: list[str] = []
    # The operator's own severity for a rule on this account's actions: {code or slug: choice}.
    rules: dict[str, str] = {}
    # X: a verified account's daily cap is 2,400 posts, an unverified one's 50 original posts and 200
    # replies (BW902); the API access its app has (BW411, BW607); the developer app it posts through,
    # whose daily budget its accounts share (BW901; empty: the configuration's one app) and the use case
    # that app serves (BW957).
    verified: bool = False
    access: AccessLevel = "self-serve"
    app: str = ""
    use_case: str = ""
    # When the account was created (BW909 judges young accounts), where the network does not say.
    created_at: datetime | date | None = None
    # BW951: X's API does not show the 'Automated' label, so whoever turned it on declares it.
    automated_label_declared_by: str = ""
    automated_label_declared_on: date | None = None
    # BW412: X approved this account's AI-written replies (who recorded it, and when).
    ai_replies_approved_by: str = ""
    ai_replies_approved_on: date | None = None

    @field_validator("rules")
    @classmethod
    def _rules(cls, value: dict[str, str]) -> dict[str, str]:
        return _checked_overrides(value)

    @property
    def created(self) -> datetime | None:
        """``created_at`` as a time with a zone (a date is its midnight, UTC)."""
        value = self.created_at
        if value is None:
            return None
        if not isinstance(value, datetime):
            return datetime.combine(value, time(0), tzinfo=UTC)
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    @field_validator("server")
    @classmethod
    def _server(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.lower().startswith(("http://", "https://")):
            raise ValueError("server must be an http(s):// URL, e.g. https://mastodon.social")
        return value

    @model_validator(mode="after")
    def _needs_server(self) -> AccountConfig:
        if self.network == "mastodon" and not self.server:
            raise ValueError(f"account '{self.id}': a mastodon account needs server = \"https://...\"")
        return self


class FeedConfig(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    url: str
    interval_minutes: int | None = Field(default=None, ge=1)
    # BW956: who declared that the operator may republish this source, and when.
    republish_declared_by: str = ""
    republish_declared_on: date | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip()
        if "://" in value and not value.lower().startswith(("http://", "https://", "file://")):
            raise ValueError("feed url must be http(s)://, file:// or a file path")
        if not value:
            raise ValueError("feed url is empty")
        return value


FilterField = Literal["title", "summary", "link", "categories", "author"]


class FiltersConfig(_Strict):
    """Patterns per field: plain text, ``/regular expression/``, either turned round by a leading ``!``
    (``botwarden.compose.filters``); and the oldest item worth posting."""

    include: dict[FilterField, list[str]] = {}
    exclude: dict[FilterField, list[str]] = {}
    max_age_hours: float | None = Field(
        default=None, gt=0, description="skip items published longer ago than this (default: the setting)"
    )

    @field_validator("include", "exclude")
    @classmethod
    def _patterns(cls, value: dict[FilterField, list[str]]) -> dict[FilterField, list[str]]:
        for name, patterns in value.items():
            for pattern in patterns:
                try:
                    parse_pattern(pattern)
                except PatternError as exc:
                    raise ValueError(f"{name}: {exc}") from None
        return value

    def compiled(self) -> Filters:
        return Filters.parse(self.include, self.exclude)


class HashtagsConfig(_Strict):
    from_categories: bool = True
    max: int = Field(default=2, ge=0, le=10)
    fixed: list[str] = []


class PacingConfig(_Strict):
    min_interval_minutes: int | None = Field(default=None, ge=0)
    jitter_seconds: int | None = Field(default=None, ge=0)
    burst_max: int | None = Field(default=None, ge=1)
    burst_window_minutes: int | None = Field(default=None, ge=1)
    daily_cap: int | None = Field(default=None, ge=0)
    quiet_hours: str | None = None
    timezone: str = "UTC"

    @model_validator(mode="after")
    def _quiet_hours(self) -> PacingConfig:
        if self.quiet_hours is not None:
            QuietHours.parse(self.quiet_hours, self.timezone)
        return self


class PostOptions(_Strict):
    """How the route's posts are sent, where the network has the option."""

    language: str = Field(default="", pattern=r"^([a-z]{2,3}(-[A-Za-z0-9]{2,8})*)?$")
    visibility: Literal["public", "unlisted", "private"] | None = None  # Mastodon; default: the setting
    content_warning: str = ""  # Mastodon
    reply_settings: Literal["", "following", "mentionedUsers", "subscribers", "verified"] = ""  # X
    # X: the route's posts are paid promotion, and go out with paid_partnership, X's label for it (BW805).
    paid_partnership: bool = False
    link_card: bool = True  # Bluesky: attach a link card built from the item (its image the thumbnail)
    # Images from the feed: the first the item names, all of them (up to the network's 4), or none.
    media: Literal["first", "all", "none"] = "first"
    # Alt text for an image the feed says nothing about (fields as in a template; {link} not needed).
    alt_text: str = "{title}"
    # Take the linked page's og:image where the item has no image (one more fetch per item).
    page_image: bool = False
    # A long item becomes a thread of up to thread_max posts (X, Mastodon, Bluesky) instead of being cut.
    thread: bool = False
    thread_max: int = Field(default=4, ge=2, le=10)

    @field_validator("alt_text")
    @classmethod
    def _alt_text(cls, value: str) -> str:
        try:
            fields_of(value, needs_link=False)
        except TemplateError as exc:
            raise ValueError(f"alt_text: {exc}") from None
        return value


class RouteConfig(_Strict):
    feed: str
    account: str
    template: str = DEFAULT_TEMPLATE
    first_run: Literal["newest", "none", "all"] | None = None
    filters: FiltersConfig = FiltersConfig()
    hashtags: HashtagsConfig = HashtagsConfig()
    pacing: PacingConfig = PacingConfig()
    post: PostOptions = PostOptions()
    # The operator's own severity for a rule on this route's posts: {code or slug: choice}.
    rules: dict[str, str] = {}

    @field_validator("rules")
    @classmethod
    def _rules(cls, value: dict[str, str]) -> dict[str, str]:
        return _checked_overrides(value)

    @field_validator("template")
    @classmethod
    def _template(cls, value: str) -> str:
        try:
            fields_of(value)
        except TemplateError as exc:
            raise ValueError(str(exc)) from None
        return value

    @property
    def id(self) -> str:
        return f"{self.feed}->{self.account}"

    def template_for(self, required: list[str] | tuple[str, ...] = ()) -> str:
        """The template, with a place for hashtags when the account's server requires some."""
        if required and "{hashtags}" not in self.template:
            return self.template + " {hashtags}"
        return self.template

    def hashtag_policy(self, required: list[str] | tuple[str, ...] = ()) -> HashtagPolicy:
        """The route's hashtags, with those the account's server requires first."""
        fixed = tuple(dict.fromkeys([*required, *self.hashtags.fixed]))
        return HashtagPolicy(self.hashtags.from_categories, max(self.hashtags.max, len(required)), fixed)


class BotConfig(_Strict):
    settings: dict[str, Any] = {}
    # The operator's values for the networks' limits: {network: {key: value}} (`botwarden limits`).
    limits: dict[str, Any] = {}
    accounts: list[AccountConfig] = []
    feeds: list[FeedConfig] = []
    routes: list[RouteConfig] = []

    @model_validator(mode="after")
    def _references(self) -> BotConfig:
        _unique("accounts", [a.id for a in self.accounts])
        _unique("feeds", [f.id for f in self.feeds])
        _unique("routes", [r.id for r in self.routes])
        accounts = {a.id for a in self.accounts}
        feeds = {f.id for f in self.feeds}
        for index, route in enumerate(self.routes):
            if route.feed not in feeds:
                raise ValueError(
                    f"routes[{index}].feed: no feed with id '{route.feed}' "
                    f"(known: {', '.join(sorted(feeds)) or 'none'})"
                )
            if route.account not in accounts:
                raise ValueError(
                    f"routes[{index}].account: no account with id '{route.account}' "
                    f"(known: {', '.join(sorted(accounts)) or 'none'})"
                )
        return self


def _checked_overrides(value: dict[str, str]) -> dict[str, str]:
    """Rule overrides as written, once every code or slug and choice is known (else a clear error)."""
    if not value:
        return value
    from botwarden.rules import overrides

    overrides.parse(value, _registry(), "config")
    return value


@functools.cache
def _registry() -> Registry:
    """The installed rule catalogue, loaded once (loading imports every rule family)."""
    from botwarden.rules.registry import load_registry

    return load_registry()


def _unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for value in ids:
        if value in seen:
            raise ValueError(f"{what}: id '{value}' is used twice")
        seen.add(value)


class Config:
    """A loaded configuration: the validated file plus the resolved settings."""

    def __init__(self, bot: BotConfig, resolved: Settings, source: str) -> None:
        self.bot = bot
        self.settings = resolved
        self.source = source
        self.accounts = {a.id: a for a in bot.accounts}
        self.feeds = {f.id: f for f in bot.feeds}
        self.routes = {r.id: r for r in bot.routes}
        self.limits: Limits = builtin_limits().overridden(bot.limits, f"{source} [limits]")
        self._filters: dict[str, Filters] = {}

    def pacing_for(self, route: RouteConfig) -> PacingPolicy:
        s, p = self.settings, route.pacing
        account = self.accounts[route.account]
        daily_cap, reply_cap = self.daily_caps(account, p.daily_cap)
        span, zone = p.quiet_hours, p.timezone
        if span is None and self.settings["quiet_hours"]:
            span, zone = self.settings["quiet_hours"], self.settings["quiet_hours_timezone"]
        quiet = QuietHours.parse(span, zone) if span else None
        return PacingPolicy(
            min_interval=timedelta(minutes=_pick(p.min_interval_minutes, s["min_interval_minutes"])),
            jitter=timedelta(seconds=_pick(p.jitter_seconds, s["jitter_seconds"])),
            burst_max=_pick(p.burst_max, s["burst_max"]),
            burst_window=timedelta(minutes=_pick(p.burst_window_minutes, s["burst_window_minutes"])),
            daily_cap=daily_cap,
            quiet_hours=quiet,
            reply_cap=reply_cap,
        )

    def daily_caps(self, account: AccountConfig, route_cap: int | None = None) -> tuple[int, int | None]:
        """The daily cap an account's posts are held to, and its cap for replies where they count apart:
        the operator's (the route's, the account's, the setting), else the network's own."""
        for explicit in (route_cap, account.daily_cap, self.settings["daily_cap"]):
            if explicit is not None:
                return int(explicit), None
        return daily_caps(self.limits, account.network, verified=account.verified)

    def overrides_for(self, account: str, route: str | None = None) -> dict[str, Override]:
        """The operator's rule overrides for an account's actions (through ``route``, when it is one of
        the routes): the account's, then the route's, which win."""
        configured = self.accounts.get(account)
        routed = self.routes.get(route) if route is not None else None
        if not (configured is not None and configured.rules) and not (routed is not None and routed.rules):
            return {}  # the common case: no overrides, and no catalogue to load for them
        from botwarden.rules import overrides

        registry = _registry()
        layers = []
        if configured is not None and configured.rules:
            layers.append(overrides.parse(configured.rules, registry, f"account {account}"))
        if routed is not None and routed.rules:
            layers.append(overrides.parse(routed.rules, registry, f"route {routed.id}"))
        return overrides.merged(*layers)

    def fetch_limits(self) -> FetchLimits:
        from botwarden.feeds.fetch import FetchLimits

        return FetchLimits.from_settings(self.settings)

    def address_policy(self) -> AddressPolicy:
        from botwarden.netguard import AddressPolicy

        return AddressPolicy(self.settings["allow_hosts"])

    def feed_interval(self, feed: FeedConfig) -> timedelta:
        return timedelta(minutes=_pick(feed.interval_minutes, self.settings["fetch_interval_minutes"]))

    def first_run(self, route: RouteConfig) -> str:
        return route.first_run or str(self.settings["first_run"])

    def filters_for(self, route: RouteConfig) -> Filters:
        """The route's filters, compiled once."""
        found = self._filters.get(route.id)
        if found is None:
            found = self._filters[route.id] = route.filters.compiled()
        return found

    def max_item_age(self, route: RouteConfig) -> timedelta | None:
        """How old an item may be and still be posted by the route (None: any age)."""
        hours = route.filters.max_age_hours or float(self.settings["max_item_age_hours"])
        return timedelta(hours=hours) if hours > 0 else None

    @property
    def tracking_parameters(self) -> frozenset[str]:
        """The operator's own tracking parameters (a trailing ``*``: a prefix), beyond the built-in ones."""
        return frozenset(p.strip().lower() for p in self.settings["tracking_parameters"] if p.strip())

    def media_wanted(self, feed_id: str) -> tuple[bool, bool]:
        """Whether a route from this feed posts its images, and whether one takes a page's og:image."""
        routes = [route for route in self.routes.values() if route.feed == feed_id]
        wanted = [route for route in routes if route.post.media != "none" or self._card_thumb(route)]
        return bool(wanted), any(route.post.page_image for route in wanted)

    def media_count(self, feed_id: str) -> int:
        """How many images an item of this feed is fetched with: as many as its most eager route posts."""
        counts = {"none": 0, "first": 1, "all": 4}
        routes = [route for route in self.routes.values() if route.feed == feed_id]
        eager = [counts[r.post.media] for r in routes] + [1 for r in routes if self._card_thumb(r)]
        return max(eager, default=0)

    def media_limits(self, feed_id: str) -> MediaLimits:
        """The strictest image limits of the networks this feed's routes post to: an image kept so fits
        every one of them as it is."""
        networks = {self.accounts[r.account].network for r in self.routes.values() if r.feed == feed_id}
        chosen = [limits_for(network) for network in networks] or [STORED]
        return MediaLimits(
            "store",
            min(limits.max_bytes for limits in chosen),
            min(limits.max_side for limits in chosen),
        )

    def _card_thumb(self, route: RouteConfig) -> bool:
        """A Bluesky route's link card takes the item's image as its thumbnail."""
        return route.post.link_card and self.accounts[route.account].network == "bluesky"


def _pick(value: int | None, fallback: Any) -> int:
    return int(fallback) if value is None else value


def load(
    path: Path | str = DEFAULT_PATH,
    *,
    overrides: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> Config:
    """Read, validate and resolve a config file; raises ConfigError saying what to fix."""
    path = Path(path)
    return from_mapping(settings_table.read_toml(path), label=str(path), overrides=overrides, env=env)


def from_mapping(
    raw: dict[str, Any],
    *,
    label: str = "config",
    overrides: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> Config:
    try:
        bot = BotConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(label, exc)) from None
    resolved = settings_table.resolve(
        bot.settings, file_label=label, env=os.environ if env is None else env, overrides=overrides
    )
    if resolved["first_run"] not in ("newest", "none", "all"):
        raise ConfigError(f"{label}: setting 'first_run' must be newest, none or all")
    if resolved["mastodon_visibility"] not in ("public", "unlisted", "private"):
        raise ConfigError(f"{label}: setting 'mastodon_visibility' must be public, unlisted or private")
    if resolved["quiet_hours"]:
        try:
            QuietHours.parse(resolved["quiet_hours"], resolved["quiet_hours_timezone"])
        except ValueError as exc:
            raise ConfigError(f"{label}: setting 'quiet_hours': {exc}") from None
    return Config(bot, resolved, label)


def _describe(label: str, exc: ValidationError) -> str:
    lines = []
    for error in exc.errors()[:5]:
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        where = where.lstrip(".")
        lines.append(f"{label}: {where}: {message}" if where else f"{label}: {message}")
    more = len(exc.errors()) - 5
    if more > 0:
        lines.append(f"... and {more} more problem(s)")
    return "\n".join(lines)
