"""An example rule plugin for botwarden (docs/writing-a-rule.md walks through it)."""

from botwarden_example_rules.shouting import Shouting

#: What the ``botwarden.rules`` entry point names: every rule class of this plugin.
RULES = (Shouting,)

__all__ = ["RULES", "Shouting"]
