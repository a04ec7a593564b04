"""The rule engine: every automated action checked against the automation rules before it is taken."""

from botwarden.rules.account import AccountInfo
from botwarden.rules.context import CheckContext, History, MemoryHistory, PastPost
from botwarden.rules.engine import Engine, combine
from botwarden.rules.model import Action, Decision, Finding, Severity, Verdict
from botwarden.rules.registry import Registry, Rule, load_registry

__all__ = [
    "AccountInfo",
    "Action",
    "CheckContext",
    "Decision",
    "Engine",
    "Finding",
    "History",
    "MemoryHistory",
    "PastPost",
    "Registry",
    "Rule",
    "Severity",
    "Verdict",
    "combine",
    "load_registry",
]
