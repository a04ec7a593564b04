"""BW501-BW505: direct messages and private information (Automation Rules, §3 sending automated direct
messages, and the guidance on requesting and exchanging information)."""

from __future__ import annotations

from botwarden.consent.ledger import DM_OPT_IN_WAYS
from botwarden.privacy import asks_for_private_info, asks_for_sensitive_info
from botwarden.rules.builtin._people import PUBLIC_KINDS, standings
from botwarden.rules.context import CheckContext
from botwarden.rules.model import Action, Finding, Severity
from botwarden.rules.registry import Rule
from botwarden.similarity import normalize

_SECTION = "Automation Rules, §3 (automated direct messages)"
#: Words in a row a public post must share with a private conversation to be repeating it.
_SHARED_RUN = 6


class DmWithoutOptIn(Rule):
    code = "BW501"
    slug = "dm-without-opt-in"
    severity = Severity.DENY
    section = _SECTION + ": the recipient must have asked first"
    summary = "An automated direct message to a user who has not asked for one."
    explanation = (
        "Being able to message someone (they follow the account, accept messages from anyone, or once "
        "talked to it) is not the same as asking for automated messages. botwarden refuses a message unless "
        "the ledger holds the user's request: they messaged the account, or took a campaign's opt-in action."
    )
    kinds = frozenset({"dm"})

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        for user, standing in standings(action, ctx):
            if standing.opted_out_at is None and standing.latest(DM_OPT_IN_WAYS) is None:
                findings.append(
                    self.finding(
                        f"automated message to @{user}, who has not asked for messages",
                        evidence={"user": user, "opt_ins": [o.via for o in standing.opt_ins]},
                    )
                )
        return findings


class DmAfterInteraction(Rule):
    code = "BW502"
    slug = "dm-after-interaction"
    severity = Severity.DENY
    section = _SECTION + ": no follow-ups after a user-initiated interaction ends"
    summary = "A follow-up message or mention after the user's interaction ended, without permission."
    explanation = (
        "When a conversation the user started is over, the account must not send more messages or mentions "
        "unless the user agrees. botwarden refuses a message or mention to a user whose latest interaction "
        "ended after their latest opt-in."
    )
    kinds = frozenset({"dm", "mention"})

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        for user, standing in standings(action, ctx):
            if standing.ended_at is not None and standing.opted_out_at is None:
                findings.append(
                    self.finding(
                        f"the interaction with @{user} ended at {standing.ended_at.isoformat()}; "
                        "a follow-up needs the user's permission",
                        evidence={"user": user, "ended_at": standing.ended_at.isoformat()},
                    )
                )
        return findings


class PublicAskPrivateInfo(Rule):
    code = "BW503"
    slug = "public-ask-private-info"
    severity = Severity.DENY
    section = "Automation Rules, requesting information: never ask for private information in public"
    summary = "A public post or reply that asks users to send personal or private information."
    explanation = (
        "Asking in public for a phone number, date of birth, address, card or bank details, a password "
        "or an ID number invites users to publish it. botwarden reads a request in any wording and order "
        '("Tweet us your phone number and date of birth", "Your card number and address, please", '
        '"What\'s your DOB?", "We\'ll need your passport number") and refuses a public post, reply or '
        "mention that makes one. Personal data may be asked for by direct message or another private "
        "channel, as X's rules advise; particularly sensitive data (card, bank, password, ID) only on "
        'the operator\'s website. Advice and warnings ("Never share your PIN", anything about a scam), '
        'how-to headlines and data named as something else ("your birthday plans") are not requests.'
    )
    kinds = PUBLIC_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        ask = asks_for_private_info(action.text)
        if ask is None:
            return []
        what = ", ".join(ask.kinds)
        instead = (
            "collect particularly sensitive data on your website"
            if ask.sensitive
            else "ask by direct message"
        )
        return [
            self.finding(
                f"public {action.kind} asks for {what} ({ask.phrase!r}); {instead}",
                evidence={"phrase": ask.phrase, "asks_for": list(ask.kinds), "channel": ask.channel},
            )
        ]


class DmAskSensitiveInfo(Rule):
    code = "BW504"
    slug = "dm-ask-sensitive-info"
    severity = Severity.HOLD
    section = "Automation Rules, requesting information: particularly sensitive data belongs on your site"
    summary = "A message that asks for particularly sensitive information (card numbers, passwords, IDs)."
    explanation = (
        "Even in a direct message, card and bank details, passwords, PINs, one-time codes and ID numbers "
        "should be collected on the operator's own site. botwarden reads a request in any wording and "
        'order ("Please confirm your card number and expiry", "What\'s your PIN?", "Reply with the code '
        'we sent you") and holds such a message for a person to review, unless it sends the user to a '
        "link or the website for it. Personal data (an order number, an address) may be asked for in a "
        "message."
    )
    kinds = frozenset({"dm"})

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        ask = asks_for_sensitive_info(action.text)
        if ask is None:
            return []
        return [
            self.finding(
                f"message asks for {', '.join(ask.kinds)} ({ask.phrase!r}); "
                "collect it on your website instead",
                evidence={"phrase": ask.phrase, "asks_for": list(ask.kinds), "channel": ask.channel},
            )
        ]


class DmSharedPublicly(Rule):
    code = "BW505"
    slug = "dm-shared-publicly"
    severity = Severity.DENY
    section = "Automation Rules, §3 (automated direct messages): do not share a conversation publicly"
    summary = "A public post that repeats what was said in a private conversation, without consent."
    explanation = (
        "What a user says in a direct message stays private unless they agree otherwise. botwarden refuses "
        f"a public post, reply or mention to a user that repeats {_SHARED_RUN} or more words in a row from "
        "the private conversation with them, unless the user has since contacted the account in public "
        "(a reply or mention), which the ledger records as an opt-in."
    )
    kinds = PUBLIC_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        ledger = ctx.facts.ledger
        users = list(standings(action, ctx))
        words = normalize(action.text).split() if users else []
        if len(words) < _SHARED_RUN:
            return []
        runs = {tuple(words[i : i + _SHARED_RUN]) for i in range(len(words) - _SHARED_RUN + 1)}
        for user, standing in users:
            messages = [c for c in ledger.contacts_with(action.account, user, action.at) if c.kind == "dm"]
            public_ok = standing.latest(frozenset({"reply", "mention"}))
            for message in messages:
                private = normalize(message.text).split()
                shared = [
                    " ".join(private[i : i + _SHARED_RUN])
                    for i in range(len(private) - _SHARED_RUN + 1)
                    if tuple(private[i : i + _SHARED_RUN]) in runs
                ]
                if shared and (public_ok is None or public_ok.at < message.at):
                    return [
                        self.finding(
                            f"repeats the private conversation with @{user} of {message.at.isoformat()} "
                            f"({shared[0]!r}) in public",
                            evidence={
                                "user": user,
                                "message_at": message.at.isoformat(),
                                "shared": shared[0],
                            },
                        )
                    ]
        return []
