"""BW301-BW305: where a post's links really go.

Rules read the redirect chain from the link facts (replay `link` lines, or the resolver); a link with no
known chain is judged by its own host only.
"""

from __future__ import annotations

from botwarden.compose.links import links_in
from botwarden.links import host_of, is_interstitial, is_shortener, registered_domain
from botwarden.rules.context import CheckContext
from botwarden.rules.facts import LinkFacts
from botwarden.rules.model import Action, Finding, Severity
from botwarden.rules.registry import Rule

_LINK_KINDS = frozenset({"post", "reply", "mention", "quote", "dm"})
MAX_HOPS = 3


def _links(action: Action, ctx: CheckContext) -> list[tuple[str, LinkFacts]]:
    """Each link of the action with its facts (a chain of one hop when nothing more is known); worked out
    once for the five link rules."""
    key = ("links", action.id, action.text, action.links)
    found: list[tuple[str, LinkFacts]] | None = ctx.memo.get(key)
    if found is None:
        raw = [*action.links, *(u for u in links_in(action.text) if u not in action.links)]
        found = ctx.memo[key] = [
            (url, ctx.facts.link(url) or LinkFacts(url, (url,))) for url in dict.fromkeys(raw)
        ]
    return found


def _kind(facts: LinkFacts, index: int) -> str:
    if index < len(facts.kinds):
        return facts.kinds[index]
    hop = facts.chain[index]
    if is_interstitial(hop):
        return "landing"
    return "shortener" if is_shortener(hop) else "content"


class _LinkRule(Rule):
    kinds = _LINK_KINDS


class MisleadingRedirect(_LinkRule):
    code = "BW301"
    slug = "misleading-redirect"
    severity = Severity.DENY
    section = "Automation Rules, ground rules (misleading links: redirects through landing or ad pages)"
    summary = "The link passes through a landing, interstitial or ad page before the content."
    explanation = (
        "A link that shows an ad or an interstitial page before the article is what the rules call a "
        "misleading link, however harmless the article. botwarden walks the redirect chain hop by hop and "
        "refuses the post when any hop before the last is a landing, interstitial or ad host. Link to the "
        "article itself."
    )

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        for url, facts in _links(action, ctx):
            for index in range(len(facts.chain) - 1):
                if _kind(facts, index) in ("landing", "ad"):
                    hop = facts.chain[index]
                    return [
                        self.finding(
                            f"{url} goes through {host_of(hop)} (a {_kind(facts, index)} page) before "
                            f"the content; link to {facts.chain[-1]} directly",
                            evidence={"url": url, "hop": hop, "hop_index": index, "chain": list(facts.chain)},
                        )
                    ]
        return []


class LongRedirectChain(_LinkRule):
    code = "BW302"
    slug = "long-redirect-chain"
    severity = Severity.HOLD
    section = "Automation Rules, ground rules (misleading links); link hygiene"
    summary = "More than 3 redirects, or a shortener inside a shortener."
    explanation = (
        "Long redirect chains and shorteners wrapped in shorteners hide where a link goes, from readers and "
        "from link checkers; spam uses them to launder destinations. A person should look before such a "
        "link goes out. Post the final address instead."
    )

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        for url, facts in _links(action, ctx):
            hops = len(facts.chain) - 1
            nested = any(
                _kind(facts, i) == "shortener" and _kind(facts, i + 1) == "shortener"
                for i in range(len(facts.chain) - 1)
            )
            if hops > MAX_HOPS or nested:
                why = f"{hops} redirects" if hops > MAX_HOPS else "a shortener inside a shortener"
                return [
                    self.finding(
                        f"{url}: {why} before {facts.chain[-1]}",
                        evidence={"url": url, "hops": hops, "chain": list(facts.chain)},
                    )
                ]
        return []


class UnsafeLink(_LinkRule):
    code = "BW303"
    slug = "unsafe-link"
    severity = Severity.DENY
    section = "Automation Rules, ground rules (spam and malicious links); the operator's blocklists"
    summary = "The final or an intermediate host of the link is on a blocklist."
    explanation = (
        "A post must never lead readers to malware, phishing or a host the operator has blocked, even "
        "through a redirect. Every hop of the chain is checked against the blocklists; one blocked hop "
        "refuses the post."
    )

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        for url, facts in _links(action, ctx):
            if facts.blocked:
                return [
                    self.finding(
                        f"{url} leads to a blocked host ({host_of(facts.chain[-1])})",
                        evidence={"url": url, "chain": list(facts.chain)},
                    )
                ]
        return []


class LinkDomainMismatch(_LinkRule):
    code = "BW304"
    slug = "link-domain-mismatch"
    severity = Severity.DENY
    section = "Automation Rules, ground rules (misleading links)"
    summary = "The link shows one registered domain and lands on another."
    explanation = (
        "Readers trust the domain they can see. A link that reads as one site and lands on another "
        "(outside a known shortener, which BW305 covers) is deceptive even when the target is benign. "
        "Redirects inside one registered domain (http to https, www, a new path) are fine."
    )

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        for url, facts in _links(action, ctx):
            if is_shortener(url) or len(facts.chain) < 2:
                continue
            shown, landed = registered_domain(url), registered_domain(facts.chain[-1])
            if shown and landed and shown != landed:
                return [
                    self.finding(
                        f"{url} shows {shown} but lands on {landed}",
                        evidence={"url": url, "shown": shown, "lands_on": landed},
                    )
                ]
        return []


class ShortenerLink(_LinkRule):
    code = "BW305"
    slug = "shortener-link"
    severity = Severity.WARN
    section = "Automation Rules, ground rules (misleading links); link hygiene"
    summary = "A link shortener hides the destination; post the canonical link."
    explanation = (
        "Every network already shortens or counts links itself, so a shortener only hides the destination "
        "from readers and reviewers, and shortener domains are common in spam. Post the article's own "
        "canonical address."
    )

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        for url, facts in _links(action, ctx):
            if is_shortener(url):
                target = facts.chain[-1] if len(facts.chain) > 1 else "its destination"
                return [
                    self.finding(
                        f"{url} is a shortener link; post {target} instead",
                        evidence={"url": url, "destination": facts.chain[-1]},
                    )
                ]
        return []
