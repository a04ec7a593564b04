"""BW805: paid promotion that does not say it is paid (X's paid_partnership label, affiliate links)."""

from __future__ import annotations

import regex

from botwarden.compose.links import links_in
from botwarden.links.affiliate import affiliate_reason
from botwarden.rules.builtin._people import PUBLIC_KINDS
from botwarden.rules.context import CheckContext
from botwarden.rules.model import Action, Finding, Severity
from botwarden.rules.registry import Rule

# Words that tell readers a post is paid for or earns a commission, in the forms people write them.
_DISCLOSURE = regex.compile(
    r"(?<![\w#])#(?:ad|ads|advert|advertisement|sponsored|spon|affiliate|affiliatelink|paidpartnership|"
    r"partner|werbung|anzeige|publi|publicidad)\b"
    r"|\b(?:sponsored|affiliate links?|paid partnership|paid promotion|advertisement|werbung|anzeige)\b"
    r"|\bearns? (?:a )?commission\b|^\s*(?:ad|advert)\s*:|[(\[]ad[)\]]",
    regex.IGNORECASE,
)


class PaidPromotionUnlabelled(Rule):
    code = "BW805"
    slug = "paid-promotion-unlabelled"
    severity = Severity.HOLD
    section = (
        "X API, manage Posts (paid_partnership labels paid promotion, since 3 Jun 2026); the networks' "
        "rules on undisclosed paid promotion"
    )
    summary = "A paid post on X without the paid_partnership label, or an affiliate link without disclosure."
    explanation = (
        "Paid promotion must say that it is paid. On X a post created through the API can carry "
        "`paid_partnership`, which labels it as paid promotion: set `paid_partnership = true` in the "
        "route's `[routes.post]` and every post of the route goes out with it. botwarden holds a "
        "commercial campaign's post on X that lacks the label, and a post on any network whose link "
        "earns a commission (an affiliate network's click host, Amazon's associate tag, an `aff_id` "
        "parameter, on the link or any hop of its redirect chain) unless the post carries the label or "
        "says so in words (#ad, #sponsored, 'affiliate link', 'paid partnership')."
    )
    kinds = PUBLIC_KINDS

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        on_x = ctx.account.network == "x"
        labelled = on_x and action.paid_partnership
        campaign = action.campaign
        if on_x and campaign is not None and campaign.commercial and not labelled:
            return [
                self.finding(
                    "a commercial post on X without the paid_partnership label; set paid_partnership "
                    "on the route's posts",
                    evidence={"campaign": campaign.to_json(), "paid_partnership": False},
                )
            ]
        if labelled:
            return []
        affiliate = _affiliate_links(action, ctx)
        if not affiliate or _DISCLOSURE.search(action.text):
            return []
        link, reason = affiliate[0]
        fix = "set paid_partnership on the route or say so (#ad)" if on_x else "say so in the post (#ad)"
        return [
            self.finding(
                f"{link} is an affiliate link ({reason}) and the post does not disclose it; {fix}",
                evidence={"links": [{"url": u, "why": r} for u, r in affiliate]},
            )
        ]


def _affiliate_links(action: Action, ctx: CheckContext) -> list[tuple[str, str]]:
    """The action's links (and the hops of their known redirect chains) that earn a commission."""
    found = []
    for link in sorted(links_in(action.text, action.links)):
        known = ctx.facts.link(link)
        for hop in (link, *(known.chain if known else ())):
            reason = affiliate_reason(hop)
            if reason:
                found.append((hop, reason))
                break
    return found
