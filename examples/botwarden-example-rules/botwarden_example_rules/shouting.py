"""BW001: a post written mostly in capital letters."""

from __future__ import annotations

from botwarden.rules import Action, CheckContext, Finding, Rule, Severity

#: Below this many letters a text is too short to call shouting ("NASA", "BREAKING:").
MIN_LETTERS = 20
#: Capitals above this share of the letters are shouting.
MAX_CAPITALS = 0.7


class Shouting(Rule):
    code = "BW001"  # BW0xx is left to plugins: the catalogue's families are BW1xx to BW9xx
    slug = "shouting"
    severity = Severity.WARN
    section = "House style of the example plugin (not a platform rule)"
    summary = "The post is written mostly in capital letters."
    explanation = (
        "Readers take a post in capitals as shouting, and feeds that shout in every title are the ones "
        "people mute. The rule counts the letters of the text, leaving links, mentions and hashtags out, "
        "and warns when more than 70% of them are capitals. It only warns: a person decides whether to "
        "rewrite the feed's titles."
    )
    kinds = frozenset({"post", "reply", "quote"})

    def check(self, action: Action, ctx: CheckContext) -> list[Finding]:
        letters = [c for word in _plain_words(action.text) for c in word if c.isalpha()]
        if len(letters) < MIN_LETTERS:
            return []
        share = sum(c.isupper() for c in letters) / len(letters)
        if share <= MAX_CAPITALS:
            return []
        return [
            self.finding(
                f"{share:.0%} of the letters are capitals (over {MAX_CAPITALS:.0%}); write the title in "
                "sentence case",
                evidence={"capital_share": round(share, 2), "letters": len(letters)},
            )
        ]


def _plain_words(text: str) -> list[str]:
    """The words a reader reads as text: links, mentions and hashtags left out."""
    return [w for w in text.split() if not w.startswith(("http://", "https://", "@", "#"))]
