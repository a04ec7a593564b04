"""BW401-BW410: automated replies and mentions (Automation Rules, §2)."""

from __future__ import annotations

from collections.abc import Iterator

from botwarden.consent.ledger import PUBLIC_OPT_IN_WAYS
from botwarden.language import sensitive_terms
from botwarden.rules.builtin._people import CONTACT_KINDS, interaction_of, standings, users_reached
from botwarden.rules.context import CheckContext
from botwarden.rules.model import Action, Finding, Severity
from botwarden.rules.registry import Rule

_REPLY_KINDS = frozenset({"reply", "mention"})
_SECTION = "Automation Rules, §2 (automated mentions and replies)"


class _ReplyRule(Rule):
    severity = Severity.DENY
    kinds = _REPLY_KINDS


class ReplyWithoutOptIn(_ReplyRule):
    code = "BW401"
    slug = "reply-without-opt-in"
    section = _SECTION + ": the user must have asked first"
    summary = "An automated reply to a user who has not asked for one."
    explanation = (
        "An automated reply is only allowed to someone who asked to hear from the account: they replied to "
        "it, mentioned it, messaged it, or took the action a campaign post said would opt them in. "
        "botwarden looks the user up in the consent ledger (`botwarden consent`) and refuses the reply when "
        "there is no such opt-in. A user who opted out is reported as BW407 instead."
    )
    kinds = frozenset({"reply"})

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        return list(_missing_opt_in(self, action, ctx, "reply to"))


class KeywordReply(_ReplyRule):
    code = "BW402"
    slug = "keyword-reply"
    section = _SECTION + ": no replies from keyword searches alone"
    summary = "A reply or mention triggered by a keyword search alone."
    explanation = (
        "Searching for a word and replying to whoever used it reaches people who never asked, which the "
        "rules name as not permitted. botwarden refuses any reply or mention whose trigger is a keyword "
        "search, whatever else is true of the user."
    )

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        if action.trigger == "keyword_search":
            return [
                self.finding(
                    f"this {action.kind} was triggered by a keyword search alone",
                    evidence={"trigger": "keyword_search"},
                )
            ]
        return []


class SecondReply(_ReplyRule):
    code = "BW403"
    slug = "second-reply"
    section = _SECTION + ": one automated reply or mention per user interaction"
    summary = "More than one automated reply or mention for one user interaction."
    explanation = (
        "Each time a user reaches out, the account may answer once. botwarden remembers the replies and "
        "mentions it allowed, keyed by the user and the interaction (the post replied to, or the opt-in), "
        "and refuses a second one for the same interaction."
    )

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        ledger = ctx.facts.ledger
        for user in users_reached(action):
            interaction = interaction_of(action) or _latest_opt_in_key(ctx, action, user)
            earlier = [
                c
                for c in ledger.contacts_with(action.account, user, action.at)
                if c.kind in _REPLY_KINDS and c.interaction == interaction
            ]
            if earlier:
                findings.append(
                    self.finding(
                        f"@{user} already got an automated {earlier[0].kind} for this interaction "
                        f"at {earlier[0].at.isoformat()}",
                        evidence={
                            "user": user,
                            "interaction": interaction,
                            "earlier_at": earlier[0].at.isoformat(),
                        },
                    )
                )
        return findings


class ReplyNotToOriginal(_ReplyRule):
    code = "BW404"
    slug = "reply-not-to-original"
    section = _SECTION + ": a campaign reply answers the user's original post"
    summary = "A campaign reply that does not answer the user's own post."
    explanation = (
        "When a campaign is based on users replying to the account, the automated answer must be a reply "
        "to the user's own post, not to some other post in the thread. botwarden refuses a campaign reply "
        "whose `in_reply_to` is not the user's original post."
    )
    kinds = frozenset({"reply"})

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        reply_to = action.in_reply_to
        is_campaign = action.trigger == "campaign" or action.campaign is not None
        if is_campaign and reply_to and not reply_to.original:
            return [
                self.finding(
                    f"campaign reply to post {reply_to.id}, which is not the user's original post",
                    evidence={"in_reply_to": reply_to.id},
                )
            ]
        return []


class ReplyTargetGone(Rule):
    code = "BW405"
    slug = "reply-target-gone"
    severity = Severity.DENY
    section = _SECTION + ": check the post still exists before replying"
    summary = "The post being replied to no longer exists."
    explanation = (
        "A reply to a deleted post is a mention out of context. botwarden refuses an action whose "
        "`in_reply_to` post is known to be gone; the worker looks the post up just before replying."
    )
    kinds = frozenset({"reply", "mention", "quote", "repost", "like"})

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        reply_to = action.in_reply_to
        if reply_to and not reply_to.exists:
            return [
                self.finding(
                    f"post {reply_to.id} no longer exists",
                    evidence={"in_reply_to": reply_to.id},
                )
            ]
        return []


class MentionWithoutOptIn(_ReplyRule):
    code = "BW406"
    slug = "mention-without-opt-in"
    section = _SECTION + ": mentioned users must have asked first"
    summary = "An automated mention of a user who has not opted in."
    explanation = (
        "Mentioning someone notifies them, so an automated mention needs the same opt-in as a reply. "
        "botwarden refuses a mention of any user without one in the consent ledger. Who is mentioned is "
        "what the account's network would make a mention of (X by twitter-text's rules, Mastodon "
        "`@user` and `@user@server`, Bluesky handles; see BW106), so a fediverse address on X or "
        "`@media` in a post about CSS names no one."
    )
    kinds = frozenset({"mention"})

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        return list(_missing_opt_in(self, action, ctx, "mention"))


class OptedOut(Rule):
    code = "BW407"
    slug = "opted-out"
    severity = Severity.DENY
    section = _SECTION + " and §3 (direct messages): honour opt-outs at once"
    summary = "An automated reply, mention or message to a user who opted out."
    explanation = (
        'An opt-out ("stop", "unsubscribe", recorded with `botwarden optout` or recognised in an inbound '
        "message) takes effect immediately and lasts until the user opts in again. botwarden refuses every "
        "automated reply, mention or message to that user from then on."
    )
    kinds = CONTACT_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        for user, standing in standings(action, ctx):
            if standing.opted_out_at is not None:
                findings.append(
                    self.finding(
                        f"@{user} opted out at {standing.opted_out_at.isoformat()}",
                        evidence={"user": user, "opted_out_at": standing.opted_out_at.isoformat()},
                    )
                )
        return findings


class FollowIsNotOptIn(Rule):
    code = "BW408"
    slug = "follow-is-not-opt-in"
    severity = Severity.DENY
    section = _SECTION + ": following the account is not on its own an opt-in"
    summary = "The only sign of consent is that the user follows the account."
    explanation = (
        "A follow says a user wants to read the account, not that they want automated replies, mentions or "
        "messages. botwarden refuses contact when a follow is all the ledger holds for that user."
    )
    kinds = CONTACT_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        for user, standing in standings(action, ctx):
            if standing.follow_only and standing.opted_out_at is None:
                findings.append(
                    self.finding(
                        f"@{user} only follows the account; a follow is not a request to be contacted",
                        evidence={"user": user, "followed_at": standing.opt_ins[-1].at.isoformat()},
                    )
                )
        return findings


class SensitiveToUser(Rule):
    code = "BW409"
    slug = "sensitive-to-user"
    severity = Severity.DENY
    section = _SECTION + ": filter sensitive language and media unless the user opted into it"
    summary = "Sensitive language or media in a reply, mention or message without the user's advance opt-in."
    explanation = (
        "Profanity, adult or graphic language and sensitive media may only go to users who said in advance "
        "they want it. botwarden checks the text, the media flags and the target's handle and display name "
        "against the sensitive-terms list (built in, plus the `sensitive_terms` setting) and refuses when "
        "the user's opt-in does not cover sensitive content."
    )
    kinds = CONTACT_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        terms = sensitive_terms(ctx.settings["sensitive_terms"])
        found = terms.find(action.text, action.target_user or "")
        found += [t for t in terms.find(action.target_display_name or "") if t not in found]
        media = sum(1 for m in action.media if m.sensitive)
        if not found and not media:
            return []
        unconsented = [user for user, standing in standings(action, ctx) if not standing.sensitive_ok]
        if unconsented:
            what = ", ".join([*(repr(t) for t in found), *([f"{media} sensitive media"] if media else [])])
            return [
                self.finding(
                    f"sensitive content ({what}) to {', '.join('@' + u for u in unconsented)}, "
                    "who did not opt into it",
                    evidence={"terms": found, "sensitive_media": media, "users": unconsented},
                )
            ]
        return []


class UnapprovedCampaign(Rule):
    code = "BW410"
    slug = "unapproved-campaign"
    severity = Severity.HOLD
    section = _SECTION + ": advertisers' auto-response campaigns need the platform's approval"
    summary = "An advertiser's auto-response campaign without recorded platform approval."
    explanation = (
        "Advertisers, publishers and brands must have the platform approve an auto-response campaign before "
        "running it. botwarden holds a commercial campaign's actions until the approval is recorded, so a "
        "person confirms it."
    )
    kinds = frozenset({"post", "reply", "mention", "dm"})

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        campaign = action.campaign
        if campaign is not None and campaign.commercial and not campaign.approved:
            return [
                self.finding(
                    "commercial auto-response campaign with no recorded platform approval",
                    evidence={"campaign": campaign.to_json()},
                )
            ]
        return []


def _missing_opt_in(rule: Rule, action: Action, ctx: CheckContext, verb: str) -> Iterator[Finding]:
    for user, standing in standings(action, ctx):
        if standing.opted_out_at is None and not standing.asked:
            yield rule.finding(
                f"automated {verb} @{user}, who has not asked to hear from the account",
                evidence={"user": user, "opt_ins": [o.via for o in standing.opt_ins]},
            )


def _latest_opt_in_key(ctx: CheckContext, action: Action, user: str) -> str | None:
    latest = ctx.facts.ledger.standing(action.account, user, action.at).latest(PUBLIC_OPT_IN_WAYS)
    return latest.interaction or f"opt-in@{latest.at.isoformat()}" if latest else None
