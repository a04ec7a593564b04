"""BW904: nothing is sent from an account the network has stopped."""

from __future__ import annotations

from botwarden.rules.context import CheckContext
from botwarden.rules.model import ACTION_KINDS, Action, Finding, Severity, minute
from botwarden.rules.registry import Rule

STOPPED = {
    "locked": "locked by the network (error 326: 'temporarily locked to protect users from spam')",
    "spam_flagged": "flagged as possible spam (error 226)",
    "suspended": "suspended",
    "write_restricted": "restricted from writing (the app's write access was removed)",
    "auth_revoked": "no longer authorised (its token was revoked or expired)",
    "paused": "paused by a person",
    "labelled": "labelled by a moderation service (a Bluesky label on the account or its posts)",
    "limited": "limited (silenced) by another server",
    "suspended_elsewhere": "suspended by another server",
}


class AccountStopped(Rule):
    code = "BW904"
    slug = "account-stopped"
    severity = Severity.HOLD
    section = "Network enforcement states (locked 326, spam-flagged 226, suspended, restricted, revoked)"
    summary = "The account is locked, flagged, suspended, restricted or unauthorised; a person must act."
    explanation = (
        "When a network locks or restricts an account, every further automated attempt makes it worse "
        "and retry loops are how locked bots become suspended bots. botwarden stops the account at the "
        "first such answer, holds its queue and alerts a person; once someone has unlocked it (logged "
        "in, passed the challenge, re-authorised the app) and marked it ok, the held posts can be "
        "reviewed and released. The daily watch stops an account the same way when a moderation service "
        "labels it or its posts (Bluesky) or another server shows it limited or suspended (Mastodon)."
    )
    kinds = ACTION_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        state = ctx.account.status
        if state == "ok":
            return []
        when = ctx.account.status_since
        since = f"{minute(when)} UTC" if when else "an unknown time"
        return [
            self.finding(
                f"account {ctx.account.id} is {STOPPED.get(state, state)} since {since}; "
                "a person must restore it before anything is sent",
                evidence={"status": state, "since": since, "reason": ctx.account.status_reason},
            )
        ]
