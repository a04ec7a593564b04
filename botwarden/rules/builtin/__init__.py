"""The built-in rules, exposed through the ``botwarden.rules`` entry point like any plugin's."""

from botwarden.rules.builtin.account import AccountStopped
from botwarden.rules.builtin.content import HashtagStuffing, RepeatedLink, TrendingTopic
from botwarden.rules.builtin.duplicate import DuplicatePost
from botwarden.rules.builtin.engagement import (
    AggressiveFollow,
    AutomatedLike,
    BulkCollectionAdd,
    BulkListAdd,
    BulkRepost,
    CoordinatedEngagement,
)
from botwarden.rules.builtin.length import TooLong
from botwarden.rules.builtin.links import (
    LinkDomainMismatch,
    LongRedirectChain,
    MisleadingRedirect,
    ShortenerLink,
    UnsafeLink,
)
from botwarden.rules.builtin.pacing import Burst, DailyCap, QuietHoursRule
from botwarden.rules.builtin.setup import AutomatedLabelMissing, BotFlagMissing, OperatorUndisclosed
from botwarden.rules.builtin.similar import CrossAccountDuplicate, NearDuplicatePost

RULES = (
    DuplicatePost,
    NearDuplicatePost,
    CrossAccountDuplicate,
    RepeatedLink,
    HashtagStuffing,
    TrendingTopic,
    MisleadingRedirect,
    LongRedirectChain,
    UnsafeLink,
    LinkDomainMismatch,
    ShortenerLink,
    AutomatedLike,
    BulkRepost,
    AggressiveFollow,
    BulkListAdd,
    BulkCollectionAdd,
    CoordinatedEngagement,
    DailyCap,
    Burst,
    AccountStopped,
    TooLong,
    QuietHoursRule,
    AutomatedLabelMissing,
    OperatorUndisclosed,
    BotFlagMissing,
)

__all__ = ["RULES"]
