"""What a Mastodon server's published rules (``GET /api/v2/instance``, ``rules[]``) ask of a bot, where a
rule says it plainly enough to act on, and the configuration with it applied.

Server rules are sentences a moderator wrote, so botwarden reads only a few clear shapes and applies them
only to make the account's posting stricter, never looser:

- a post limit: "no more than 5 posts a day", "bots: max 2 toots per hour" (a count, posts, a period of
  a day or an hour) caps the account's posts a day (BW902);
- a required hashtag: "bots must use the #bot hashtag" adds it to every post of the account;
- unlisted posting: "automated accounts must post unlisted" makes the account's public routes unlisted;
- the bot flag: "bots must be marked as bots" is reported (BW953 checks the flag), not applied.

Every other rule is shown to a person by ``botwarden accounts check``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import regex

from botwarden.config import AccountConfig, BotConfig, Config, RouteConfig
from botwarden.networks.base import ServerRule

_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "fifty": 50,
}
_COUNT = r"(\d{1,4}|" + "|".join(_WORD_NUMBERS) + r")"
_LIMIT = regex.compile(
    _COUNT + r"\s+(?:automated\s+|bot\s+|public\s+)?(?:posts?|toots?|statuses|status\s+updates?)\s*"
    r"(?:per|a|an|each|every|/|in\s+an?|in\s+one)\s*(day|24\s*h(?:ours?)?|hour)\b",
    regex.IGNORECASE,
)
_LIMITING = regex.compile(
    r"\b(more\s+than|at\s+most|maximum|max\.?|up\s+to|limit(?:ed)?|only)\b",
    regex.IGNORECASE,
)
_BOTS = regex.compile(
    r"\b(bots?|automated|automation|auto-?post(?:ing|s)?|feed\s+accounts?)\b", regex.IGNORECASE
)
_REQUIRED = regex.compile(r"\b(must|required?|should|need\s+to|have\s+to|always)\b", regex.IGNORECASE)
_NEGATED = regex.compile(r"\b(not|never|don'?t|no)\b", regex.IGNORECASE)
_HASHTAG = regex.compile(r"(?<![\w&])#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)")
_UNLISTED = regex.compile(r"\bunlisted\b|\b(?:quiet\s+public)\b", regex.IGNORECASE)
_BOT_FLAG = regex.compile(
    r"\b(bot\s+flag|(?:flag(?:ged)?|mark(?:ed)?|set|tick(?:ed)?)\s+(?:as\s+)?(?:an?\s+)?(?:bots?|automated))\b",
    regex.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Reading:
    """What a server's rules ask of a bot, and which rule said each thing."""

    daily_cap: int | None = None
    hashtags: tuple[str, ...] = ()
    unlisted: bool = False
    bot_flag: bool = False
    understood: dict[str, str] = field(default_factory=dict)  # rule id -> what botwarden read in it

    @property
    def applicable(self) -> bool:
        return self.daily_cap is not None or bool(self.hashtags) or self.unlisted


def read_rules(rules: Sequence[ServerRule]) -> Reading:
    """What ``rules`` ask of a bot, in the shapes botwarden reads (see the module's docstring)."""
    cap: int | None = None
    hashtags: list[str] = []
    unlisted = flag = False
    understood: dict[str, str] = {}
    for rule in rules:
        text = f"{rule.text} {rule.hint}".strip()
        found = []
        limit = _daily_limit(text)
        if limit is not None:
            cap = limit if cap is None else min(cap, limit)
            found.append(f"at most {limit} posts a day")
        bots = bool(_BOTS.search(text))
        required = bool(_REQUIRED.search(text))
        tags = _required_hashtags(text) if bots and required else []
        if tags:
            hashtags += [t for t in tags if t.casefold() not in {h.casefold() for h in hashtags}]
            found.append("every post carries " + " ".join(f"#{t}" for t in tags))
        if bots and _UNLISTED.search(text) and not _negated_before(text, _UNLISTED):
            unlisted = True
            found.append("bots post unlisted")
        if bots and _BOT_FLAG.search(text):
            flag = True
            found.append("the account is flagged as a bot")
        if found:
            understood[rule.id] = "; ".join(found)
    return Reading(cap, tuple(hashtags), unlisted, flag, understood)


def _daily_limit(text: str) -> int | None:
    """The posts a day a rule allows, when it states a limit on posts per day or per hour."""
    match = _LIMIT.search(text)
    if match is None or not (_LIMITING.search(text) or _BOTS.search(text)):
        return None
    raw = match.group(1).casefold()
    count = int(raw) if raw.isdigit() else _WORD_NUMBERS[raw]
    return count * 24 if match.group(2).casefold() == "hour" else count


def _required_hashtags(text: str) -> list[str]:
    """The hashtags a sentence requires: each in a sentence that asks for it and does not forbid it."""
    tags = []
    for sentence in regex.split(r"(?<=[.!?;])\s+", text):
        if _REQUIRED.search(sentence) and not _NEGATED.search(sentence):
            tags += _HASHTAG.findall(sentence)
    return list(dict.fromkeys(tags))


def _negated_before(text: str, pattern: regex.Pattern[str]) -> bool:
    """Whether the sentence holding ``pattern``'s match says not to (\"do not post unlisted\")."""
    match = pattern.search(text)
    if match is None:
        return False
    start = max(text.rfind(".", 0, match.start()), text.rfind(";", 0, match.start())) + 1
    return bool(_NEGATED.search(text[start : match.start()]))


# -- applying -----------------------------------------------------------------------------------------


def apply(config: Config, readings: Mapping[str, Reading]) -> tuple[Config, list[str]]:
    """The configuration with each Mastodon account's server rules applied (only ever stricter), and what
    changed, in words."""
    changes: list[str] = []
    accounts, routes = [], []
    for account in config.bot.accounts:
        reading = readings.get(account.id)
        if account.network != "mastodon" or reading is None or not reading.applicable:
            accounts.append(account)
            continue
        accounts.append(_stricter_account(config, account, reading, changes))
    by_id = {a.id: a for a in accounts}
    for route in config.bot.routes:
        reading = readings.get(route.account)
        if by_id[route.account].network != "mastodon" or reading is None:
            routes.append(route)
            continue
        routes.append(_stricter_route(config, route, reading, changes))
    if not changes:
        return config, []
    bot = BotConfig.model_construct(
        settings=config.bot.settings, accounts=accounts, feeds=config.bot.feeds, routes=routes
    )
    return Config(bot, config.settings, config.source), changes


def _stricter_account(
    config: Config, account: AccountConfig, reading: Reading, changes: list[str]
) -> AccountConfig:
    update: dict[str, object] = {}
    cap, _ = config.daily_caps(account)
    if reading.daily_cap is not None and reading.daily_cap < cap:
        update["daily_cap"] = reading.daily_cap
        changes.append(
            f"{account.id}: at most {reading.daily_cap} posts a day (the server's rules; was {cap})"
        )
    have = {h.casefold().lstrip("#") for h in account.required_hashtags}
    missing = [h for h in reading.hashtags if h.casefold() not in have]
    if missing:
        update["required_hashtags"] = [*account.required_hashtags, *missing]
        changes.append(
            f"{account.id}: every post carries {' '.join('#' + h for h in missing)} (the server's rules)"
        )
    return account.model_copy(update=update) if update else account


def _stricter_route(config: Config, route: RouteConfig, reading: Reading, changes: list[str]) -> RouteConfig:
    update: dict[str, object] = {}
    if (
        reading.daily_cap is not None
        and route.pacing.daily_cap is not None
        and route.pacing.daily_cap > reading.daily_cap
    ):
        update["pacing"] = route.pacing.model_copy(update={"daily_cap": reading.daily_cap})
        changes.append(f"route {route.id}: at most {reading.daily_cap} posts a day (the server's rules)")
    visibility = route.post.visibility or config.settings["mastodon_visibility"]
    if reading.unlisted and visibility == "public":
        update["post"] = route.post.model_copy(update={"visibility": "unlisted"})
        changes.append(f"route {route.id}: posts unlisted (the server's rules ask bots to)")
    return route.model_copy(update=update) if update else route
