"""The built-in rules, exposed through the ``botwarden.rules`` entry point like any plugin's."""

from botwarden.rules.builtin.access import ActionNotOffered
from botwarden.rules.builtin.account import AccountStopped
from botwarden.rules.builtin.apps import OneAppPerUseCase
from botwarden.rules.builtin.budget import RateLimit, SpendCap
from botwarden.rules.builtin.cashtags import CashtagLimit
from botwarden.rules.builtin.content import HashtagStuffing, MentionInBroadcast, RepeatedLink, TrendingTopic
from botwarden.rules.builtin.duplicate import DuplicatePost
from botwarden.rules.builtin.engagement import (
    AggressiveFollow,
    AutomatedLike,
    BulkCollectionAdd,
    BulkListAdd,
    BulkRepost,
    CoordinatedEngagement,
)
from botwarden.rules.builtin.hidden_text import HiddenTextDirection
from botwarden.rules.builtin.length import TooLong
from botwarden.rules.builtin.links import (
    LinkDomainMismatch,
    LongRedirectChain,
    MisleadingRedirect,
    ShortenerLink,
    UnsafeLink,
)
from botwarden.rules.builtin.messages import (
    DmAfterInteraction,
    DmAskSensitiveInfo,
    DmSharedPublicly,
    DmWithoutOptIn,
    PublicAskPrivateInfo,
)
from botwarden.rules.builtin.on_behalf import (
    ActionNotConsented,
    DeleteWithoutNotice,
    NoExpressConsent,
    OwnerOptedOut,
    PurposeChanged,
)
from botwarden.rules.builtin.pacing import Burst, DailyCap, QuietHoursRule
from botwarden.rules.builtin.promotion import PaidPromotionUnlabelled
from botwarden.rules.builtin.replies import (
    FollowIsNotOptIn,
    KeywordReply,
    MentionWithoutOptIn,
    OptedOut,
    ReplyNotToOriginal,
    ReplyTargetGone,
    ReplyWithoutOptIn,
    SecondReply,
    SensitiveToUser,
    UnapprovedCampaign,
)
from botwarden.rules.builtin.safety import AbusiveContent, PrivateInformation, SensitiveMediaUnmarked
from botwarden.rules.builtin.setup import (
    AutomatedLabelMissing,
    BotFlagMissing,
    DuplicativeAccounts,
    OperatorUndisclosed,
    PublicFeedVisibility,
    UnauthorisedSource,
)
from botwarden.rules.builtin.similar import CrossAccountDuplicate, NearDuplicatePost
from botwarden.rules.builtin.summoned import AiReplyUnapproved, ReplyNotSummoned
from botwarden.rules.builtin.young import YoungAccount

RULES = (
    DuplicatePost,
    NearDuplicatePost,
    CrossAccountDuplicate,
    RepeatedLink,
    HashtagStuffing,
    MentionInBroadcast,
    TrendingTopic,
    MisleadingRedirect,
    LongRedirectChain,
    UnsafeLink,
    LinkDomainMismatch,
    ShortenerLink,
    ReplyWithoutOptIn,
    ReplyNotSummoned,
    AiReplyUnapproved,
    KeywordReply,
    SecondReply,
    ReplyNotToOriginal,
    ReplyTargetGone,
    MentionWithoutOptIn,
    OptedOut,
    FollowIsNotOptIn,
    SensitiveToUser,
    UnapprovedCampaign,
    DmWithoutOptIn,
    DmAfterInteraction,
    PublicAskPrivateInfo,
    DmAskSensitiveInfo,
    DmSharedPublicly,
    AutomatedLike,
    BulkRepost,
    AggressiveFollow,
    BulkListAdd,
    BulkCollectionAdd,
    CoordinatedEngagement,
    ActionNotOffered,
    NoExpressConsent,
    ActionNotConsented,
    PurposeChanged,
    OwnerOptedOut,
    DeleteWithoutNotice,
    PrivateInformation,
    SensitiveMediaUnmarked,
    AbusiveContent,
    HiddenTextDirection,
    PaidPromotionUnlabelled,
    RateLimit,
    DailyCap,
    Burst,
    AccountStopped,
    SpendCap,
    TooLong,
    CashtagLimit,
    YoungAccount,
    QuietHoursRule,
    AutomatedLabelMissing,
    OperatorUndisclosed,
    BotFlagMissing,
    PublicFeedVisibility,
    DuplicativeAccounts,
    UnauthorisedSource,
    OneAppPerUseCase,
)

__all__ = ["RULES"]
