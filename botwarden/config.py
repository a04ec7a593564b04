"""The operator's configuration file (TOML): settings, accounts, feeds and routes.

Loading validates everything before anything starts, and a problem is reported with the file, the key
and what is wrong (``botwarden.toml: routes[1].pacing.quiet_hours: ...``).
"""

from __future__ import annotations

import os
import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from botwarden import settings as settings_table
from botwarden.compose import DEFAULT_TEMPLATE, HashtagPolicy, TemplateError, fields_of
from botwarden.errors import ConfigError
from botwarden.feeds.fetch import FetchLimits
from botwarden.media.limits import STORED, MediaLimits, limits_for
from botwarden.netguard import AddressPolicy
from botwarden.pacing import PacingPolicy, QuietHours

DEFAULT_PATH = settings_table.DEFAULT_CONFIG_PATH
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
FILTER_FIELDS = ("title", "summary", "link", "categories", "author")


if TYPE_CHECKING:
    from botwarden.rules.overrides import Override


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

    @field_validator("rules")
    @classmethod
    def _rules(cls, value: dict[str, str]) -> dict[str, str]:
        return _checked_overrides(value)

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


class FiltersConfig(_Strict):
    include: dict[Literal["title", "summary", "link", "categories", "author"], list[str]] = {}
    exclude: dict[Literal["title", "summary", "link", "categories", "author"], list[str]] = {}


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
    from botwarden.rules import overrides
    from botwarden.rules.registry import load_registry

    overrides.parse(value, load_registry(), "config")
    return value


def _unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for value in ids:
        if value in seen:
            raise ValueError(f"{what}: id '{value}' is used twice")
        seen.add(value)


class Config:
    """A loaded configuration: the validated file plus the resolved settings."""

    def __init__(self, bot: BotConfig, resolved: dict[str, Any], source: str) -> None:
        self.bot = bot
        self.settings = resolved
        self.source = source
        self.accounts = {a.id: a for a in bot.accounts}
        self.feeds = {f.id: f for f in bot.feeds}
        self.routes = {r.id: r for r in bot.routes}

    def pacing_for(self, route: RouteConfig) -> PacingPolicy:
        s, p = self.settings, route.pacing
        account_cap = self.accounts[route.account].daily_cap
        span, zone = p.quiet_hours, p.timezone
        if span is None and self.settings["quiet_hours"]:
            span, zone = self.settings["quiet_hours"], self.settings["quiet_hours_timezone"]
        quiet = QuietHours.parse(span, zone) if span else None
        return PacingPolicy(
            min_interval=timedelta(minutes=_pick(p.min_interval_minutes, s["min_interval_minutes"])),
            jitter=timedelta(seconds=_pick(p.jitter_seconds, s["jitter_seconds"])),
            burst_max=_pick(p.burst_max, s["burst_max"]),
            burst_window=timedelta(minutes=_pick(p.burst_window_minutes, s["burst_window_minutes"])),
            daily_cap=_pick(p.daily_cap, _pick(account_cap, s["daily_cap"])),
            quiet_hours=quiet,
        )

    def overrides_for(self, account: str, route: str | None = None) -> dict[str, Override]:
        """The operator's rule overrides for an account's actions (through ``route``, when it is one of
        the routes): the account's, then the route's, which win."""
        from botwarden.rules import overrides
        from botwarden.rules.registry import load_registry

        registry = load_registry()
        layers = []
        configured = self.accounts.get(account)
        if configured is not None and configured.rules:
            layers.append(overrides.parse(configured.rules, registry, f"account {account}"))
        routed = self.routes.get(route) if route is not None else None
        if routed is not None and routed.rules:
            layers.append(overrides.parse(routed.rules, registry, f"route {routed.id}"))
        return overrides.merged(*layers)

    def fetch_limits(self) -> FetchLimits:
        return FetchLimits.from_settings(self.settings)

    def address_policy(self) -> AddressPolicy:
        return AddressPolicy(self.settings["allow_hosts"])

    def feed_interval(self, feed: FeedConfig) -> timedelta:
        return timedelta(minutes=_pick(feed.interval_minutes, self.settings["fetch_interval_minutes"]))

    def first_run(self, route: RouteConfig) -> str:
        return route.first_run or str(self.settings["first_run"])

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
    label = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{label}: no such file; create one with `botwarden init`") from None
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read it ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{label}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML: {exc}") from exc
    return from_mapping(raw, label=label, overrides=overrides, env=env)


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
