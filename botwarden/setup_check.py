"""``botwarden accounts check``: read each account's profile from its network and report BW951-BW955 and
BW957, what BW909 sees in a young account's profile (its age, followers, bio and picture), BW956 for
each feed the account posts from, and the rules the account's server publishes (Mastodon), with what
botwarden applies of them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from botwarden.checking import FleetChecks, configured_account
from botwarden.config import Config
from botwarden.networks import Network, Profile
from botwarden.networks.base import ServerRule
from botwarden.rules import AccountInfo, Action, Engine, MemoryHistory
from botwarden.rules.model import Finding
from botwarden.server_rules import Reading, apply, read_rules

SETUP_CODES = ("BW909", "BW951", "BW952", "BW953", "BW954", "BW955", "BW957")
SOURCE_CODE = "BW956"  # per route: asked once for each feed the account posts from


@dataclass(slots=True)
class SetupReport:
    account: str
    network: str
    profile: Profile | None = None
    error: str = ""
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    server_rules: list[ServerRule] = field(default_factory=list)
    reading: Reading | None = None  # what botwarden reads in the server's rules


def check_accounts(
    config: Config, networks: dict[str, Network], now: datetime, only: str | None = None
) -> list[SetupReport]:
    setup = FleetChecks(config, engine=Engine(select=SETUP_CODES))
    sources = FleetChecks(config, engine=Engine(select=(SOURCE_CODE,)))
    reports = []
    for account in config.accounts.values():
        if only is not None and account.id != only:
            continue
        report = SetupReport(account.id, account.network)
        reports.append(report)
        try:
            profile = networks[account.network].profile(account.id)
        except Exception as exc:  # a missing login or an unreachable network reads as an error, not a crash
            report.error = str(exc) or type(exc).__name__
            continue
        report.profile = profile
        info = _as_read(configured_account(config, account.id), profile)
        action = Action(
            id=f"setup:{account.id}", kind="post", account=account.id, at=now, network=account.network
        )
        report.findings = list(setup.check(action, info, MemoryHistory()).findings)
        for route in config.routes.values():
            if route.account != account.id:
                continue
            feed = config.feeds[route.feed]
            source = Action(
                id=f"setup:{route.id}",
                kind="post",
                account=account.id,
                at=now,
                links=(feed.url,),
                network=account.network,
                trigger="feed",
                source_declared=bool(feed.republish_declared_by),
            )
            found = sources.check(source, info, MemoryHistory()).findings
            report.findings += [f for f in found if f.code == SOURCE_CODE]
        report.notes += _young_notes(info, now, int(config.settings["young_account_days"]))
        if profile.char_limit and profile.char_limit != (account.char_limit or 500):
            report.notes.append(
                f"the server allows {profile.char_limit} characters a post; "
                f"set char_limit = {profile.char_limit}"
            )
        if profile.server_rules:
            report.server_rules = list(profile.server_rules)
            report.reading = read_rules(profile.server_rules)
            report.notes += rules_notes(config, account.id, report.reading, bot_flag=profile.bot_flag)
    return reports


def _as_read(declared: AccountInfo, profile: Profile) -> AccountInfo:
    """The account as its configuration declares it, with what its network says of it. X's API does not
    show the 'Automated' label, so on X the declaration stands (BW951); elsewhere the profile's flags."""
    return replace(
        declared,
        verified=declared.verified or profile.verified,
        bio=profile.bio,
        automated_label=declared.automated_label if declared.network == "x" else profile.automated_label,
        bot_flag=profile.bot_flag,
        created_at=profile.created_at or declared.created_at,
        followers=profile.followers,
        posts=profile.posts,
        has_avatar=profile.has_avatar,
    )


def _young_notes(info: AccountInfo, now: datetime, young_days: int) -> list[str]:
    """What the networks' detectors will see in the account before its next post (BW909)."""
    if info.followers == 0 and not info.posts:
        return [
            "no posts and no followers: a first post with a link will be held (BW909; Pleroma and "
            "Akkoma servers refuse it); post something without a link first"
        ]
    if info.created_at is not None:
        days = (now - info.created_at).days
        return (
            [f"created {days} day(s) ago: a young account's link posts are paced (BW909)"]
            if days < young_days
            else []
        )
    return []


def rules_notes(config: Config, account_id: str, reading: Reading, *, bot_flag: bool) -> list[str]:
    """What the server's rules ask that botwarden reads, and what that changes for this account."""
    _, changes = apply(config, {account_id: reading})
    notes = []
    if changes:
        how = (
            "applied by the worker"
            if config.settings["apply_server_rules"]
            else "apply_server_rules is off: set it"
        )
        notes += [f"server rules: {change} ({how})" for change in changes]
    if reading.bot_flag and not bot_flag:
        notes.append("server rules: bots must be flagged as bots; tick 'This is a bot account' (BW953)")
    return notes
