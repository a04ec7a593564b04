"""BW411-BW412: replies on X as X's 2026 API rules allow them (summoned replies, AI-written replies)."""

from __future__ import annotations

from botwarden.rules.builtin._x_access import self_serve_x, since
from botwarden.rules.context import CheckContext
from botwarden.rules.model import Action, Finding, Severity
from botwarden.rules.registry import Rule

#: Opt-ins that mean the user's own post named the account: a mention, or a reply to its post (which
#: carries the account's @handle).
_SUMMONING = frozenset({"mention", "reply"})


class ReplyNotSummoned(Rule):
    code = "BW411"
    slug = "reply-not-summoned"
    severity = Severity.DENY
    section = (
        "X API, manage Posts (self-serve access, since 23 Feb 2026): a reply only to a post that "
        "summoned the account"
    )
    summary = "An X reply to a post whose author did not @mention or quote the account."
    explanation = (
        "Since 23 February 2026 X accepts a reply made through self-serve API access (pay-per-use and "
        "the older Free, Basic and Pro) only when the author of the post replied to summoned the "
        "account in that very post: @mentioned it, replied to one of its posts, or quoted one. Any "
        "other consent (a direct message, a campaign action, an earlier mention of some other post) "
        "may satisfy the Automation Rules (BW401) but does not make X accept the reply, so botwarden "
        "refuses it before X does. It looks for the user's mention or reply of that post in the consent "
        "ledger (recorded by `botwarden inbound` and the worker's reading of mentions, with the post's "
        "id as its interaction). Mastodon and Bluesky have no such rule: a reply after a DM opt-in stays "
        "allowed there. Enterprise and public-utility access (`access` on the account) are not bound."
    )
    kinds = frozenset({"reply"})

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        if not self_serve_x(ctx):
            return []
        reply_to = action.in_reply_to
        post = reply_to.id if reply_to else None
        author = (reply_to.user if reply_to else None) or action.target_user
        if not post or not author:
            return [
                self.finding(
                    "the X reply names no post and author; self-serve access replies only to a post "
                    f"whose author summoned the account{since(ctx, 'replies_when_summoned')}",
                    evidence={"in_reply_to": post, "access": ctx.account.access},
                )
            ]
        standing = ctx.facts.ledger.standing(action.account, author, action.at)
        if any(o.via in _SUMMONING and o.interaction == post for o in standing.opt_ins):
            return []
        other = sorted({o.via for o in standing.opt_ins})
        consent = f" ({', '.join(other)} opt-in does not count)" if other else ""
        return [
            self.finding(
                f"post {post} by @{str(author).lstrip('@')} did not @mention or quote "
                f"{action.account}: X's self-serve access refuses the reply{consent}",
                evidence={
                    "in_reply_to": post,
                    "user": str(author).lstrip("@"),
                    "opt_ins": other,
                    "access": ctx.account.access,
                },
            )
        ]


class AiReplyUnapproved(Rule):
    code = "BW412"
    slug = "ai-reply-unapproved"
    severity = Severity.HOLD
    enforced = "attest"
    section = "X Developer Guidelines (replies and mentions: AI-powered replies need X's prior approval)"
    summary = "An X reply written by a generative model without X's recorded prior approval."
    explanation = (
        "X allows an app that generates replies with AI and posts them only with X's prior approval. "
        "botwarden cannot see that approval, so the operator declares it: `ai_replies_approved_by` (and "
        "`ai_replies_approved_on`) on the account, recorded with the configuration. An X reply marked as "
        "written by a model (`generated` on the action) from an account without that declaration is "
        "held for a person."
    )
    kinds = frozenset({"reply"})

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        if ctx.account.network != "x" or not action.generated:
            return []
        if ctx.account.ai_replies_approved:
            return []
        return [
            self.finding(
                f"an AI-written reply from {action.account}, and no approval by X of its AI replies is "
                "recorded (ai_replies_approved_by)",
                evidence={"generated": True, "approved": False},
            )
        ]
