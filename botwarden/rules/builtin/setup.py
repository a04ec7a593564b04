"""BW951-BW953: how an automated account presents itself (reported on the account; info on actions)."""

from __future__ import annotations

from collections.abc import Iterator

import regex

from botwarden.rules.context import CheckContext
from botwarden.rules.model import ACTION_KINDS, Action, Finding, Severity
from botwarden.rules.registry import Rule

_DISCLOSURE = regex.compile(
    r"\b(run|operated|maintained|managed|made|built|owned)\s+by\b|@\w+|\bcontact\b", regex.IGNORECASE
)


class _SetupRule(Rule):
    severity = Severity.WARN
    enforced = "setup"
    kinds = ACTION_KINDS

    def info(self, message: str, **evidence: object) -> Finding:
        return self.finding(message, evidence=dict(evidence), severity=Severity.INFO)


class AutomatedLabelMissing(_SetupRule):
    code = "BW951"
    slug = "automated-label-missing"
    section = "X's automated account labels; Automation Rules (disclose automation)"
    summary = "An X account without the 'Automated' label that links it to its operator's account."
    explanation = (
        "X lets a bot account carry an 'Automated' label naming the account that runs it. A labelled bot "
        "is understood by readers and by the platform for what it is; an unlabelled one that posts like a "
        "machine is a spam suspect. Turn the label on in the account's settings."
    )

    def check(self, action: Action, ctx: CheckContext) -> Iterator[Finding]:
        if ctx.account.network == "x" and not ctx.account.automated_label:
            yield self.info("the X account has no 'Automated' label", network="x")


class OperatorUndisclosed(_SetupRule):
    code = "BW952"
    slug = "operator-undisclosed"
    section = "Automation Rules (who is responsible for automated activity)"
    summary = "The account's bio does not say who runs it."
    explanation = (
        "People, and the teams that review flagged accounts, should be able to see who is behind a bot. "
        "Say so in the bio: 'Automated news from the Harbour Gazette, run by @gazette_desk'."
    )

    def check(self, action: Action, ctx: CheckContext) -> Iterator[Finding]:
        if not _DISCLOSURE.search(ctx.account.bio):
            yield self.info("the bio does not say who runs the account", bio=ctx.account.bio)


class BotFlagMissing(_SetupRule):
    code = "BW953"
    slug = "bot-flag-missing"
    section = "Mastodon's bot flag and server rules; Bluesky's 'bot' self-label"
    summary = "A Mastodon account without the bot flag, or a Bluesky account without the 'bot' self-label."
    explanation = (
        "Mastodon shows automated accounts with a bot badge, and many servers require it of bots; Bluesky "
        "has a 'bot' self-label. Set it, so readers and moderators know what they are looking at."
    )

    def check(self, action: Action, ctx: CheckContext) -> Iterator[Finding]:
        if ctx.account.network in ("mastodon", "bluesky") and not ctx.account.bot_flag:
            yield self.info(
                f"the {ctx.account.network} account is not marked as a bot", network=ctx.account.network
            )
