"""The rule engine: every automated action checked against the automation rules before it is taken."""

from botwarden.rules.account import AccountInfo
from botwarden.rules.context import CheckContext, History, MemoryHistory, PastPost
from botwarden.rules.engine import Engine, combine
from botwarden.rules.model import (
    Action,
    AttachedMedia,
    Campaign,
    Decision,
    Finding,
    ReplyTarget,
    Severity,
    Verdict,
)
from botwarden.rules.registry import Registry, Rule, load_registry

__all__ = [
    "AccountInfo",
    "Action",
    "AttachedMedia",
    "Campaign",
    "CheckContext",
    "Decision",
    "Engine",
    "Finding",
    "History",
    "MemoryHistory",
    "PastPost",
    "Registry",
    "ReplyTarget",
    "Rule",
    "Severity",
    "Verdict",
    "combine",
    "load_registry",
]
