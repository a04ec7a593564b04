"""BW801 private information, BW802 sensitive media unmarked, BW803 abusive content (Automation Rules,
ground rules: private information, sensitive media and abusive behaviour)."""

from __future__ import annotations

from botwarden.language import abusive_terms
from botwarden.privacy import find_private_data
from botwarden.rules.builtin._people import PUBLIC_KINDS
from botwarden.rules.context import CheckContext
from botwarden.rules.model import Action, Finding, Severity
from botwarden.rules.registry import Rule


class PrivateInformation(Rule):
    code = "BW801"
    slug = "private-information"
    severity = Severity.HOLD
    section = "Automation Rules, ground rules (private information)"
    summary = "A post containing someone's private data: phone, e-mail, card, national ID or street address."
    explanation = (
        "Automated posts must not publish other people's private information. botwarden looks for phone "
        "numbers (libphonenumber, for `phone_region` and international formats), e-mail addresses, card "
        "numbers and IBANs that pass their checksums, US social security numbers and street addresses, and "
        "holds the post for a person when they are a person's: a card or social security number always, a "
        "phone number or e-mail address unless it is a toll-free line, a role mailbox (tips@, press@) or "
        'given as an organisation\'s or the writer\'s own ("call our newsroom", "email me at"), a street '
        'address only where the text ties it to a person ("lives at", "the owner", a flat, their phone '
        "beside it). A listing for sale, a business, a venue and a product's model number (\"Commodore "
        '1541 Disk Drive") are not private.'
    )
    kinds = PUBLIC_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        found = find_private_data(action.text, str(ctx.settings["phone_region"]))
        if found:
            kinds = sorted({m.kind.replace("_", " ") for m in found})
            return [
                self.finding(
                    f"the text contains what looks like private data ({', '.join(kinds)}); "
                    "a person should check",
                    evidence={"matches": [{"kind": m.kind, "masked": m.masked} for m in found]},
                )
            ]
        return []


class SensitiveMediaUnmarked(Rule):
    code = "BW802"
    slug = "sensitive-media-unmarked"
    severity = Severity.DENY
    section = "Automation Rules, ground rules (sensitive media: mark the account)"
    summary = "Sensitive media from an account not marked as posting sensitive media."
    explanation = (
        "An account that posts graphic, adult or otherwise sensitive media must be marked as such, so the "
        "network can warn viewers. botwarden refuses sensitive media from an account without that mark "
        "(`sensitive_media` on the account)."
    )
    kinds = frozenset({*PUBLIC_KINDS, "dm"})

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        flagged = sum(1 for m in action.media if m.sensitive)
        if flagged and not ctx.account.sensitive_media:
            return [
                self.finding(
                    f"{flagged} sensitive media item(s), but {action.account} is not marked as posting "
                    "sensitive media",
                    evidence={"sensitive_media": flagged},
                )
            ]
        return []


class AbusiveContent(Rule):
    code = "BW803"
    slug = "abusive-content"
    severity = Severity.HOLD
    section = "Automation Rules, ground rules (abusive behaviour: harassment, hateful conduct, violence)"
    summary = "Harassment, hateful or violent language."
    explanation = (
        "No automated activity may encourage abuse, violence, hateful conduct or harassment. A feed can "
        "carry such words (a quote in a court report), so botwarden holds rather than refuses: a person "
        "reads it first. The built-in phrase list is short; add your own with `abusive_terms`."
    )
    kinds = frozenset({*PUBLIC_KINDS, "dm"})

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        found = abusive_terms(ctx.settings["abusive_terms"]).find(action.text)
        if found:
            return [
                self.finding(
                    f"abusive language ({', '.join(repr(t) for t in found)}); "
                    "a person should read this first",
                    evidence={"terms": found},
                )
            ]
        return []
