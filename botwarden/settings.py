"""Operator settings, declared once.

Each :class:`Setting` has a name, a default, a type and a help line. The same table drives the
``[settings]`` table of the TOML config, the ``BOTWARDEN_<NAME>`` environment variables, the CLI's
``--set NAME=VALUE`` option, ``botwarden settings`` and ``docs/settings.md`` (a test keeps that page true).
Precedence, strongest first: ``--set``, environment, the config file, the default.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from botwarden.errors import ConfigError
from botwarden.typed_settings import Settings

ENV_PREFIX = "BOTWARDEN_"


#: The configuration file read when none is named (``--config``, ``BOTWARDEN_CONFIG``).
DEFAULT_CONFIG_PATH = Path("botwarden.toml")


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: Any
    kind: type
    help: str
    choices: tuple[str, ...] = ()  # the values a string setting may take, when only some make sense
    # The range a number must be in where others make no sense (a burst of 0 posts, a negative cap).
    minimum: float | None = None
    maximum: float | None = None

    @property
    def env_var(self) -> str:
        return ENV_PREFIX + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database_url",
        "sqlite:///botwarden.db",
        str,
        "SQLAlchemy URL of the store; a postgresql:// URL switches to PostgreSQL. "
        "On SQLite, ?timeout=SECONDS sets how long a write waits for another process's lock (default 30).",
    ),
    Setting("fetch_interval_minutes", 15, int, "Default minutes between two fetches of one feed.", minimum=1),
    Setting(
        "fetch_timeout_seconds",
        20.0,
        float,
        "Timeout of connecting, and of each read, of feed and link requests (deadlines bound the whole).",
        minimum=0.1,
    ),
    Setting(
        "fetch_deadline_seconds",
        60.0,
        float,
        "Longest one feed fetch may take in all (name lookup, redirects, headers, body): a server that "
        "trickles bytes cannot stretch it.",
        minimum=0.1,
    ),
    Setting("fetch_concurrency", 8, int, "How many feeds are fetched at once.", minimum=1),
    Setting(
        "feed_max_bytes",
        10_000_000,
        int,
        "Largest feed body accepted, after decompression; bigger ones are refused.",
        minimum=1,
    ),
    Setting("feed_max_redirects", 5, int, "Most redirects followed for one feed request.", minimum=0),
    Setting(
        "media_max_bytes",
        10_000_000,
        int,
        "Largest image fetched from a feed or a page; bigger ones are left out (then fitted per network).",
    ),
    Setting(
        "media_page_max_bytes",
        512_000,
        int,
        "How much of a linked page is read to find its og:image (routes with page_image = true).",
    ),
    Setting(
        "media_wait_minutes",
        10,
        int,
        "How long a post waits for its item's images to be fetched before it goes without them.",
    ),
    Setting(
        "feed_backoff_max_minutes",
        1440,
        int,
        "Longest wait before retrying a feed that keeps failing (backoff doubles up to this).",
        minimum=1,
    ),
    Setting(
        "allow_hosts",
        [],
        list,
        "Hosts or CIDR ranges feeds may use even though they are loopback or private.",
    ),
    Setting(
        "duplicate_window_days",
        30,
        int,
        "BW101: how far back an identical post by the same account counts as a duplicate.",
        minimum=0,
    ),
    Setting(
        "near_duplicate_threshold",
        0.35,
        float,
        "BW102/BW103: heuristic similarity (0..1: shared rare words and phrases, numbers agreeing) at which "
        "a post counts as substantially similar and is held.",
        minimum=0,
        maximum=1,
    ),
    Setting(
        "near_duplicate_other_link_threshold",
        0.8,
        float,
        "BW102: similarity at which a post counts as substantially similar to one of the account's own that "
        "links to other pages (another item: only nearly the same words make it a near-duplicate).",
        minimum=0,
        maximum=1,
    ),
    Setting(
        "near_duplicate_deny",
        0.0,
        float,
        "BW102: similarity at which a near-duplicate is denied rather than held for review (0: never).",
        minimum=0,
        maximum=1,
    ),
    Setting(
        "near_duplicate_window_days",
        7,
        int,
        "BW102/BW103: how far back similar posts are looked for.",
        minimum=0,
    ),
    Setting(
        "fleet_scope",
        "network",
        str,
        "BW103, BW104, BW606, BW955: the accounts one account is compared with: 'network' (the operator's "
        "accounts on the same network; posting an item once on each network is cross-posting) or "
        "'operator' (all the operator's accounts).",
        choices=("network", "operator"),
    ),
    Setting(
        "repeated_link_hours", 24, int, "BW104: how far back the same link counts as repeated.", minimum=0
    ),
    Setting(
        "hashtag_max", 2, int, "BW105: most hashtags in one post before it reads as stuffing.", minimum=0
    ),
    Setting(
        "repost_per_hour",
        10,
        int,
        "BW602: most automated reposts and quotes of one account an hour.",
        minimum=0,
    ),
    Setting(
        "follow_per_day",
        20,
        int,
        "BW603: most automated follows and unfollows of one account a day.",
        minimum=0,
    ),
    Setting(
        "list_add_per_day",
        20,
        int,
        "BW604/BW605: most list or collection additions of one account a day.",
        minimum=0,
    ),
    Setting(
        "sensitive_terms",
        [],
        list,
        "BW409: your own sensitive terms, added to the built-in list ('*' matches any letters).",
    ),
    Setting("abusive_terms", [], list, "BW803: your own abusive phrases, added to the built-in list."),
    Setting(
        "phone_region",
        "US",
        str,
        "BW801: the region (ISO 3166 code) whose national phone-number format counts as a phone number.",
    ),
    Setting(
        "spend_cap_usd",
        0.0,
        float,
        "BW905: most an X account may spend on posts in a calendar month, in USD (0: no cap).",
        minimum=0,
    ),
    Setting(
        "post_cost_usd",
        0.015,
        float,
        "BW905 and the cost meter: what X bills for one plain post (2026 pay-per-use price).",
        minimum=0,
    ),
    Setting(
        "link_post_cost_usd",
        0.20,
        float,
        "BW905 and the cost meter: what X bills for one post containing a URL (2026 pay-per-use price).",
        minimum=0,
    ),
    # The rest of X's pay-per-use prices (https://docs.x.com/x-api/getting-started/pricing, 2026): reads
    # are billed per resource returned, once a UTC day each.
    Setting(
        "x_media_metadata_cost_usd",
        0.005,
        float,
        "The cost meter: what X bills for setting an image's alt text (Media Metadata, per request).",
    ),
    Setting(
        "x_post_read_cost_usd",
        0.005,
        float,
        "The cost meter: what X bills for each post read (mentions, looking up whether posts still exist).",
    ),
    Setting(
        "x_owned_read_cost_usd",
        0.001,
        float,
        "The cost meter: what X bills for each of the account's own resources read (its profile, its "
        "posts: probes, reconciliation).",
    ),
    Setting(
        "x_user_read_cost_usd",
        0.010,
        float,
        "The cost meter: what X bills for each other user's profile read.",
    ),
    Setting(
        "x_trend_read_cost_usd",
        0.010,
        float,
        "The cost meter: what X bills for each trend read (trends_x_woeid).",
    ),
    Setting(
        "x_dm_read_cost_usd",
        0.010,
        float,
        "The cost meter: what X bills for each direct message event read (content retention checks).",
    ),
    Setting(
        "x_client_app_id",
        "",
        str,
        "X's id of botwarden's client app: the daily reconciliation compares with that app's usage "
        "rather than the whole project's (empty: the project's).",
    ),
    Setting(
        "x_usage_drift_percent",
        10.0,
        float,
        "Daily reconciliation: how far (in percent of X's count) the posts botwarden metered may differ "
        "from X's usage report before a warning.",
    ),
    Setting(
        "x_usage_drift_posts",
        10,
        int,
        "Daily reconciliation: a difference of this many posts or fewer is never a warning.",
    ),
    Setting(
        "watch_interval_hours",
        12,
        int,
        "How often each account is watched: moderation labels (Bluesky), limited or suspended as seen "
        "from another server (Mastodon), the server's rules, and deleted posts and messages whose ids the "
        "consent ledger keeps (X; at most 23, so that deletions leave the ledger within 24 hours).",
    ),
    Setting(
        "inbound_id_days",
        14,
        int,
        "How long the consent ledger keeps the X id of a post or message someone sent the account: while "
        "replies to it are judged (BW403, BW404) and looked up for deletions; then the id is removed, what "
        "it meant stays.",
    ),
    Setting(
        "bluesky_labelers",
        ["did:plc:ar7c4by46qjdydhdevvrndac"],
        list,
        "The labelers whose moderation labels the watch asks for (atproto-accept-labelers); Bluesky's own "
        "moderation service by default.",
    ),
    Setting(
        "bluesky_labels_ignored",
        [],
        list,
        "Label values the watch does not stop an account for (e.g. graphic-media on a news bot's photos).",
    ),
    Setting(
        "bluesky_watch_posts",
        25,
        int,
        "How many of the account's latest posts the watch reads for labels.",
    ),
    Setting(
        "mastodon_observer_server",
        "",
        str,
        "Another Mastodon server (https://…) the watch looks each Mastodon account up from, to see it "
        "limited or suspended as other servers do (empty: not looked up).",
    ),
    Setting(
        "apply_server_rules",
        True,
        bool,
        "Apply what a Mastodon server's published rules say in a form botwarden reads (a daily post cap, "
        "a required hashtag, unlisted posts for bots); always only ever stricter than the configuration.",
    ),
    Setting(
        "mastodon_visibility",
        "unlisted",
        str,
        "Visibility of Mastodon feed posts: unlisted (recommended), public, private (BW954 notes public).",
    ),
    Setting(
        "duplicative_stories_share",
        0.5,
        float,
        "BW955: share of an account's posts in the window that tell a story another account of the "
        "operator on the same network told too, before the two look duplicative.",
        minimum=0,
        maximum=1,
    ),
    Setting(
        "declared_sources",
        [],
        list,
        "BW956: sources (registered domains such as example.org) you have declared you may republish.",
    ),
    Setting(
        "resolve_links",
        True,
        bool,
        "BW301-BW305: follow each post's link hop by hop (HEAD, then GET) before posting it.",
    ),
    Setting("link_max_hops", 5, int, "BW301-BW305: most redirects the link resolver follows.", minimum=0),
    Setting(
        "link_deadline_seconds",
        30.0,
        float,
        "BW301-BW305: longest following one link's redirects may take in all; the chain so far is judged.",
        minimum=0.1,
    ),
    Setting(
        "link_cache_hours",
        24,
        int,
        "How long a resolved redirect chain is reused (failed ones: an hour).",
        minimum=0,
    ),
    Setting(
        "blocklist_files",
        [],
        list,
        "BW303: files of blocked hosts (hosts-file format, one host a line, or CSV with the host first).",
    ),
    Setting(
        "shortener_hosts", [], list, "BW302/BW305: your own link shortener hosts, added to the built-in list."
    ),
    Setting(
        "interstitial_hosts",
        [],
        list,
        "BW301: your own landing, interstitial or ad hosts, added to the built-in list.",
    ),
    Setting(
        "trends_file",
        "",
        str,
        "BW201: a file of what trends now (JSON by network, or one term a line); re-read when it changes.",
    ),
    Setting(
        "trends_x_woeid",
        0,
        int,
        "BW201: read X's trends for this place (1: worldwide; 0: off); needs BOTWARDEN_X_BEARER_TOKEN.",
        minimum=0,
    ),
    Setting(
        "import_max_bytes",
        1_000_000_000,
        int,
        "diagnose: largest file of an export, once unpacked (a zip or tar can hold far more than its "
        "size); a bigger one is refused.",
        minimum=1,
    ),
    Setting(
        "import_max_record_bytes",
        1_000_000,
        int,
        "diagnose: longest record of an export (a line of CSV or JSON Lines, one post of a JSON or CAR "
        "export); a longer CSV line or JSON record refuses the file, a longer JSON line is skipped.",
        minimum=1,
    ),
    Setting(
        "import_max_field_chars",
        100_000,
        int,
        "diagnose: longest text field of one record; a record with a longer one is skipped with a note.",
        minimum=1,
    ),
    Setting(
        "import_max_depth",
        64,
        int,
        "diagnose: deepest nesting of one record; a record nested deeper is skipped with a note.",
        minimum=1,
    ),
    Setting(
        "import_max_records",
        1_000_000,
        int,
        "diagnose: most records read from one export; more refuse it (split the export, or raise this).",
        minimum=1,
    ),
    Setting(
        "young_account_days",
        30,
        int,
        "BW909: an account younger than this many days is young (its links are paced, its profile noted).",
    ),
    Setting(
        "young_account_followers",
        10,
        int,
        "BW909: an account with fewer followers than this is young, whatever its age.",
    ),
    Setting(
        "young_link_burst_max",
        3,
        int,
        "BW909: most posts with links a young account makes within young_link_burst_minutes.",
    ),
    Setting("young_link_burst_minutes", 30, int, "BW909: the window of young_link_burst_max."),
    Setting("x_api_url", "https://api.x.com", str, "Base URL of the X API."),
    Setting("burst_max", 3, int, "BW903: most posts of one account inside the burst window.", minimum=1),
    Setting("burst_window_minutes", 15, int, "BW903: the burst window.", minimum=1),
    Setting(
        "backlog_warn_hours",
        6.0,
        float,
        "BW910: warn when an account's queue would take longer than this to drain at its pace (0: never).",
        minimum=0,
    ),
    Setting(
        "min_interval_minutes", 5, int, "Pacing: least time between two posts of one account.", minimum=0
    ),
    Setting(
        "jitter_seconds",
        90,
        int,
        "Pacing: random extra delay (0..this) so posts do not land on a machine-regular beat.",
        minimum=0,
    ),
    Setting(
        "quiet_hours",
        "",
        str,
        "BW907: quiet hours for routes that set none, e.g. 22:00-07:00 (empty: none).",
    ),
    Setting("quiet_hours_timezone", "UTC", str, "BW907: the time zone of the quiet_hours setting."),
    Setting(
        "daily_cap",
        None,
        int,
        "BW902: most posts of one account in 24 hours, unless set on the account or route (0: the account "
        "posts nothing); unset: the network's own (`botwarden limits`: X 50 original posts and 200 replies "
        "unverified, 2,400 verified; Mastodon 2,400; Bluesky 11,666; local 48).",
        minimum=0,
    ),
    Setting(
        "max_item_age_hours",
        0.0,
        float,
        "Items published longer ago than this are not posted (skipped, with the reason, in "
        "`botwarden skipped`); a route's filters.max_age_hours overrides it (0: any age).",
        minimum=0,
    ),
    Setting(
        "tracking_parameters",
        [],
        list,
        "Your own tracking parameters to remove from posted links, beyond the built-in list (utm_*, "
        "fbclid, ...); a trailing * makes one a prefix, e.g. traffic_source, maca, ref_*.",
    ),
    Setting(
        "first_run",
        "newest",
        str,
        "What a new route posts from the feed's backlog: newest (one item), none, or all.",
    ),
    Setting(
        "lease_seconds",
        120,
        int,
        "How long a worker's claim on a post lasts (at least three times network_timeout_seconds); "
        "a post still 'sending' after that is reconciled before any resend.",
        minimum=1,
    ),
    Setting("max_attempts", 5, int, "Transient failures of one post before it is marked failed.", minimum=1),
    Setting(
        "alert_webhook_url",
        "",
        str,
        "Where to POST a JSON alert (with a Slack-style 'text') when an account is stopped or answers again.",
    ),
    Setting(
        "probe_interval_hours",
        24,
        int,
        "How often a stopped account is probed with one cheap read to see whether it works again.",
        minimum=1,
    ),
    Setting(
        "resume_on_probe",
        False,
        bool,
        "Resume a stopped account by itself once a probe shows it works (default: a person resumes it).",
    ),
    Setting(
        "secret_key_file",
        "",
        str,
        "The key that encrypts account tokens (created 0600 while no token is sealed; default "
        "~/.config/botwarden/secret.key); BOTWARDEN_SECRET_KEY overrides it.",
    ),
    Setting(
        "inbound_interval_minutes",
        15,
        int,
        "How often each account's mentions and messages are read into the consent ledger (0: never).",
        minimum=0,
    ),
    Setting(
        "dashboard_secret",
        "",
        str,
        "Signs dashboard session cookies; set it (a long random string) so logins survive a restart.",
    ),
    Setting("dashboard_https_only", False, bool, "Send the dashboard's session cookie over HTTPS only."),
    Setting(
        "http_threads",
        16,
        int,
        "`serve`: requests one server process works on at once (the API's reads and writes run in threads); "
        "its database pool holds one connection for each, and three more.",
        minimum=1,
    ),
    Setting(
        "db_pool_wait_seconds",
        2.0,
        float,
        "`serve`: how long a request waits for a database connection before it is answered 503 with "
        "Retry-After.",
        minimum=0,
    ),
    Setting(
        "api_max_body_bytes",
        1_000_000,
        int,
        "`serve`: largest request body accepted; a bigger one is answered 413 before it is read "
        "(0: no limit).",
        minimum=0,
    ),
    Setting(
        "api_rate_per_second",
        200.0,
        float,
        "`serve`: requests a second one API token may make to one server process; more are answered 429 "
        "with Retry-After (0: no limit).",
        minimum=0,
    ),
    Setting(
        "api_rate_burst",
        200,
        int,
        "`serve`: requests one API token may make in a burst above api_rate_per_second before it is limited.",
        minimum=1,
    ),
    Setting(
        "api_token_concurrency",
        4,
        int,
        "`serve`: requests one API token may have in flight at once in one server process; more are "
        "answered 429 with Retry-After (0: no limit). Keeps one operator from taking every thread.",
        minimum=0,
    ),
    Setting(
        "log_idle_minutes",
        60,
        int,
        "run/worker: passes that find nothing to do are logged as one summary at most this often "
        "(0: never); a pass that fetched, queued or posted something is logged at once.",
        minimum=0,
    ),
    Setting(
        "network_timeout_seconds",
        20,
        int,
        "How long to wait for a network's answer to one request.",
        minimum=1,
    ),
    Setting("select", [], list, "Rule codes, slugs or code prefixes to run (empty: all)."),
    Setting("ignore", [], list, "Rule codes, slugs or code prefixes to skip."),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def coerce(setting: Setting, value: Any, *, source: str) -> Any:
    """Turn ``value`` (from TOML, env or CLI) into the setting's type, or explain what is wrong."""
    converted = _converted(setting, value, source=source)
    if isinstance(converted, int | float) and not isinstance(converted, bool):
        _in_range(setting, converted, source=source)
    return converted


def _converted(setting: Setting, value: Any, *, source: str) -> Any:
    kind = setting.kind
    if value is None and setting.default is None:  # a setting left unset, where unset means something
        return None
    if kind is list:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
    elif kind is bool and isinstance(value, str):
        if value.lower() in {"1", "true", "yes", "on"}:
            return True
        if value.lower() in {"0", "false", "no", "off"}:
            return False
    elif isinstance(value, str) and kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    elif isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        if setting.choices and value not in setting.choices:
            choices = ", ".join(setting.choices)
            raise ConfigError(f"{source}: setting '{setting.name}' must be one of {choices}, got {value!r}")
        return value
    elif kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    raise ConfigError(f"{source}: setting '{setting.name}' must be {_kind_name(kind)}, got {value!r}")


def _in_range(setting: Setting, value: float, *, source: str) -> None:
    low, high = setting.minimum, setting.maximum
    if (low is None or value >= low) and (high is None or value <= high):
        return
    if high is None:
        wanted = f"at least {low:g}"
    elif low is None:
        wanted = f"at most {high:g}"
    else:
        wanted = f"between {low:g} and {high:g}"
    raise ConfigError(f"{source}: setting '{setting.name}' must be {wanted}, got {value!r}")


def _kind_name(kind: type) -> str:
    return {
        int: "a whole number",
        float: "a number",
        str: "a string",
        bool: "true or false",
        list: "a list of strings",
    }[kind]


def resolve(
    from_file: Mapping[str, Any],
    *,
    file_label: str = "config",
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
) -> Settings:
    """Merge defaults, the config file's ``[settings]``, the environment and ``--set`` overrides."""
    env = os.environ if env is None else env
    unknown = sorted(set(from_file) - set(BY_NAME))
    if unknown:
        raise ConfigError(
            f"{file_label}: [settings] has unknown key '{unknown[0]}'; known settings: {', '.join(BY_NAME)}"
        )
    resolved: dict[str, Any] = {}
    for setting in SETTINGS:
        value: Any = _fresh(setting.default)
        if setting.name in from_file:
            value = coerce(setting, from_file[setting.name], source=f"{file_label} [settings]")
        if setting.env_var in env:
            value = coerce(setting, env[setting.env_var], source=f"environment {setting.env_var}")
        resolved[setting.name] = value
    for name, raw in (overrides or {}).items():
        if name not in BY_NAME:
            raise ConfigError(f"--set {name}: unknown setting; known: {', '.join(BY_NAME)}")
        resolved[name] = coerce(BY_NAME[name], raw, source=f"--set {name}")
    _check_lease(resolved, file_label)
    _check_watch(resolved, file_label)
    return cast(Settings, resolved)


def defaults() -> Settings:
    """Every setting at its default: what a check made without a configuration reads."""
    return cast(Settings, {setting.name: _fresh(setting.default) for setting in SETTINGS})


def complete(partial: Mapping[str, Any]) -> Settings:
    """``partial`` with every setting it leaves out at its default, so that a reader never needs a
    fallback of its own (the library, tests and plugins may give a check only the settings they change)."""
    return cast(Settings, {**defaults(), **partial})


def assign(settings: Settings, name: str, value: Any) -> None:
    """Set one setting named at run time (a replay's config line), already coerced to its type."""
    cast(dict[str, Any], settings)[name] = value


def _fresh(default: Any) -> Any:
    """A default's own copy, so that changing one resolved list never changes the table."""
    return list(default) if isinstance(default, list) else default


def _check_watch(settings: Mapping[str, Any], label: str) -> None:
    """A deleted post's id must leave the consent ledger within 24 hours, so the watch runs more often."""
    hours = settings["watch_interval_hours"]
    if not 1 <= hours <= 23:
        raise ConfigError(
            f"{label}: watch_interval_hours ({hours}) must be from 1 to 23, so that posts deleted on the "
            "network leave the consent ledger within 24 hours"
        )


def _check_lease(settings: Mapping[str, Any], label: str) -> None:
    """A lease that can lapse while its post is still being sent lets another worker send it again."""
    lease, timeout = settings["lease_seconds"], settings["network_timeout_seconds"]
    if lease < 3 * timeout:
        raise ConfigError(
            f"{label}: lease_seconds ({lease}) must be at least three times network_timeout_seconds "
            f"({timeout}), so that a post's lease outlasts its send; raise lease_seconds"
        )


def read_toml(path: Path) -> dict[str, Any]:
    """The configuration file as TOML data, or a ConfigError that says what is wrong with it."""
    label = str(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{label}: no such file; create one with `botwarden init`") from None
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read it ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{label}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML: {exc}") from exc


def file_settings(path: Path, overrides: Mapping[str, str] | None = None) -> Settings:
    """The settings of a configuration file (with the environment and overrides), without validating its
    accounts, feeds and routes: what a command that only reads the store needs, quickly."""
    raw = read_toml(path)
    table = raw.get("settings", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [settings] must be a table")
    return resolve(table, file_label=str(path), overrides=overrides)


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """Read ``NAME=VALUE`` pairs from the command line."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"--set {pair!r}: expected NAME=VALUE, e.g. --set burst_max=2")
        out[name.strip()] = value.strip()
    return out


def render_markdown() -> str:
    """The settings reference page (docs/settings.md)."""
    lines = [
        "# Settings",
        "",
        "Set in the `[settings]` table of `botwarden.toml`, as an environment variable, or with",
        "`--set NAME=VALUE` on the command line (strongest first: `--set`, environment, file, default).",
        "This page is generated from `botwarden/settings.py`; a test fails when they differ.",
        "",
        "| name | default | environment | meaning |",
        "|---|---|---|---|",
    ]
    for s in SETTINGS:
        lines.append(f"| `{s.name}` | `{s.default!r}` | `{s.env_var}` | {s.help} |")
    return "\n".join(lines) + "\n"
