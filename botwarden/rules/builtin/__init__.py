"""The built-in rules, exposed through the ``botwarden.rules`` entry point like any plugin's."""

from botwarden.rules.builtin.account import AccountStopped
from botwarden.rules.builtin.duplicate import DuplicatePost
from botwarden.rules.builtin.length import TooLong
from botwarden.rules.builtin.pacing import Burst, DailyCap, QuietHoursRule

RULES = (DuplicatePost, DailyCap, Burst, AccountStopped, TooLong, QuietHoursRule)

__all__ = ["RULES"]
