"""BW804: characters a reader cannot see that change how the text reads."""

from __future__ import annotations

from botwarden.language.invisible import hidden_characters
from botwarden.rules.builtin._people import PUBLIC_KINDS
from botwarden.rules.context import CheckContext
from botwarden.rules.model import Action, Finding, Severity
from botwarden.rules.registry import Rule

#: At most this many characters are listed in a finding's evidence.
_SHOWN = 10


class HiddenTextDirection(Rule):
    code = "BW804"
    slug = "hidden-text-direction"
    severity = Severity.HOLD
    section = (
        "Automation Rules, ground rules (misleading content); Bluesky automod's reversed-text rule "
        "(bluesky-social/indigo, automod/rules/misleading_unicode_reverse.go)"
    )
    summary = "Right-to-left override or other invisible direction and control characters in the text."
    explanation = (
        "A right-to-left override (U+202E) makes 'moc.elpmaxe' show as 'example.com'; an isolate, a "
        "zero-width space, a word joiner or a run of tag characters hides words or splits them so that a "
        "filter misses them. Bluesky's automod flags posts holding the override, and a post that reads "
        "differently from what was checked is what spam does. botwarden holds a post, reply or message "
        "whose text holds any of them: direction overrides, embeddings and isolates, control characters "
        "(tab and newline aside), zero-width spaces, word joiners, invisible operators and tag "
        "characters outside an emoji flag. The zero-width joiner of emoji and scripts that need it, and "
        "the plain direction marks, are left alone. The composer removes all of these from feed text, so "
        "a feed post never carries them; this catches text that arrives another way (the HTTP check, a "
        "template, a reply)."
    )
    kinds = frozenset({*PUBLIC_KINDS, "dm"})

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        found = hidden_characters(action.text)
        if not found:
            return []
        kinds = sorted({h.kind for h in found})
        first = found[0]
        return [
            self.finding(
                f"the text holds {len(found)} hidden character(s) ({', '.join(kinds)}; first "
                f"{first.code} {first.name} at {first.at}): it can read differently from what was "
                "checked; remove them",
                evidence={
                    "characters": [
                        {"code": h.code, "name": h.name, "kind": h.kind, "at": h.at} for h in found[:_SHOWN]
                    ],
                    "count": len(found),
                },
            )
        ]
