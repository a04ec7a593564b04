"""Judging a resolved redirect chain with the operator's settings: what each hop is (the built-in host lists
plus ``shortener_hosts`` and ``interstitial_hosts``) and whether any hop is on a ``blocklist_files`` list.
The worker and ``diagnose`` both judge chains this way."""

from __future__ import annotations

from dataclasses import dataclass, field

from botwarden.links.blocklist import Blocklist
from botwarden.links.knowledge import hop_kinds
from botwarden.rules.facts import LinkFacts
from botwarden.typed_settings import Settings


@dataclass(frozen=True, slots=True)
class LinkJudge:
    shorteners: frozenset[str] = frozenset()
    interstitials: frozenset[str] = frozenset()
    blocklist: Blocklist = field(default_factory=Blocklist)

    @classmethod
    def from_settings(cls, settings: Settings) -> LinkJudge:
        """Reads the blocklist files; an unreadable one is a ConfigError naming it."""
        return cls(
            frozenset(h.lower() for h in settings["shortener_hosts"]),
            frozenset(h.lower() for h in settings["interstitial_hosts"]),
            Blocklist.load(settings["blocklist_files"]),
        )

    def facts(self, url: str, chain: tuple[str, ...]) -> LinkFacts:
        kinds = hop_kinds(chain, shorteners=self.shorteners, interstitials=self.interstitials)
        return LinkFacts(url, chain, kinds, any(self.blocklist.blocks(hop) for hop in chain))
