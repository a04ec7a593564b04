"""BW701-BW705: automated actions through another user's account (Automation Rules, A)."""

from __future__ import annotations

from botwarden.rules.context import CheckContext
from botwarden.rules.model import ACTION_KINDS, Action, Finding, Severity
from botwarden.rules.registry import Rule

_SECTION = "Automation Rules, A (automated actions through another user's account)"


class _OnBehalfRule(Rule):
    severity = Severity.DENY
    kinds = ACTION_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        return self.check_on_behalf(action, ctx) if action.on_behalf else []

    def check_on_behalf(self, action: Action, ctx: CheckContext) -> list[Finding]:
        raise NotImplementedError


class NoExpressConsent(_OnBehalfRule):
    code = "BW701"
    slug = "no-express-consent"
    section = _SECTION + ": express consent first; authorising the app is not consent"
    summary = "An automated action through another user's account with no recorded express consent."
    explanation = (
        "Connecting an account to the app (OAuth) does not mean its owner agreed to automated actions. "
        "The owner must be told which actions will happen and agree to them. botwarden refuses any "
        "on-behalf action until `botwarden consent record` (or a `consent` line) holds that agreement."
    )

    def check_on_behalf(self, action: Action, ctx: CheckContext) -> list[Finding]:
        if ctx.facts.ledger.consent_for(action.account, action.at) is None:
            return [
                self.finding(
                    f"no express consent recorded from the owner of {action.account}",
                    evidence={"account": action.account},
                )
            ]
        return []


class ActionNotConsented(_OnBehalfRule):
    code = "BW702"
    slug = "action-not-consented"
    section = _SECTION + ": describe each kind of automated action and get consent to it"
    summary = "An action type the account's owner did not consent to."
    explanation = (
        "Consent covers the kinds of action the owner was told about. botwarden refuses an on-behalf "
        "action whose kind (post, dm, follow, delete…) is not in the recorded consent."
    )

    def check_on_behalf(self, action: Action, ctx: CheckContext) -> list[Finding]:
        consent = ctx.facts.ledger.consent_for(action.account, action.at)
        if consent is not None and action.kind not in consent.actions:
            allowed = ", ".join(sorted(consent.actions)) or "nothing"
            return [
                self.finding(
                    f"the owner consented to {allowed}, not {action.kind}",
                    evidence={
                        "consented": sorted(consent.actions),
                        "kind": action.kind,
                        "owner": consent.owner,
                    },
                )
            ]
        return []


class PurposeChanged(_OnBehalfRule):
    code = "BW703"
    slug = "purpose-changed"
    section = _SECTION + ": re-obtain consent when the app's purpose changes"
    summary = "Consent was given for an earlier purpose version of the app."
    explanation = (
        "When the app's purpose or functionality changes materially, consent must be asked for again. "
        "botwarden compares the purpose version the owner agreed to with the app's current one and refuses "
        "on-behalf actions until the owner consents to the new version."
    )

    def check_on_behalf(self, action: Action, ctx: CheckContext) -> list[Finding]:
        consent = ctx.facts.ledger.consent_for(action.account, action.at)
        current = ctx.facts.ledger.purpose_version(action.at)
        if consent is not None and current is not None and consent.purpose_version != current:
            return [
                self.finding(
                    f"consent was for purpose version {consent.purpose_version}; the app is now at {current}",
                    evidence={"consented_version": consent.purpose_version, "current_version": current},
                )
            ]
        return []


class OwnerOptedOut(_OnBehalfRule):
    code = "BW704"
    slug = "owner-opted-out"
    section = _SECTION + ": honour the owner's opt-out at once"
    summary = "The account's owner opted out of automated actions."
    explanation = (
        "An owner can withdraw consent at any time, and the withdrawal is immediate. botwarden refuses "
        "every on-behalf action after an opt-out until the owner consents again."
    )

    def check_on_behalf(self, action: Action, ctx: CheckContext) -> list[Finding]:
        out = ctx.facts.ledger.owner_opted_out(action.account, action.at)
        if out is not None:
            return [
                self.finding(
                    f"the owner of {action.account} opted out at {out.isoformat()}",
                    evidence={"opted_out_at": out.isoformat()},
                )
            ]
        return []


class DeleteWithoutNotice(_OnBehalfRule):
    code = "BW705"
    slug = "delete-without-notice"
    section = _SECTION + ": say clearly that deleted posts cannot be recovered"
    summary = "A bulk or automated delete where the owner was not told deletions cannot be undone."
    explanation = (
        "An app that deletes posts for their owner, one by one or in bulk, must first tell the owner that "
        "deleted posts are gone for good. botwarden refuses on-behalf deletes unless the recorded consent "
        "says that notice was given (`delete_notice`)."
    )
    kinds = frozenset({"delete"})

    def check_on_behalf(self, action: Action, ctx: CheckContext) -> list[Finding]:
        consent = ctx.facts.ledger.consent_for(action.account, action.at)
        if consent is None or not consent.delete_notice:
            bulk = action.bulk or 1
            return [
                self.finding(
                    f"deleting {bulk} post(s) for the owner, who was not told deletions cannot be undone",
                    evidence={"bulk": bulk},
                )
            ]
        return []
