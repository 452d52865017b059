"""Import every area's models so that the metadata knows all tables."""

from tenure.accounts.models import Account, AccountOwnerHistory, Contact
from tenure.auth.models import ApiKey, AuthSession
from tenure.billing.models import (
    Contract,
    ContractLine,
    Plan,
    Product,
    Subscription,
    SubscriptionItem,
    SubscriptionPause,
)
from tenure.book.models import AssignmentRule
from tenure.briefing.models import (
    Briefing,
    BriefingDelivery,
    BriefingPreference,
    ChatWebhook,
)
from tenure.db.base import Base
from tenure.fx.models import FxRate
from tenure.health.models import (
    HealthOverride,
    HealthSnapshot,
    Scorecard,
    SentimentEntry,
)
from tenure.jobs.models import JobRun
from tenure.notifications.models import Notification
from tenure.playbooks.models import Playbook, PlaybookRun
from tenure.revenue.models import (
    AccountMonthSnapshot,
    AccountRevenue,
    MrrMovement,
    RenewalTerm,
    RevenueFactState,
)
from tenure.rules.models import Rule, RuleFiring, RuleState
from tenure.segments.models import SavedSegment, TierRule, WatchEntry
from tenure.settings.models import Setting
from tenure.staff.models import StaffUser, Team
from tenure.tasks.models import Task, TaskComment, TaskEvent
from tenure.timeline.models import Activity, ChurnReview
from tenure.usage.models import EventSource, UsageDaily

__all__ = [
    "Account",
    "AccountMonthSnapshot",
    "AccountOwnerHistory",
    "AccountRevenue",
    "Activity",
    "ApiKey",
    "AssignmentRule",
    "AuthSession",
    "Base",
    "Briefing",
    "BriefingDelivery",
    "BriefingPreference",
    "ChatWebhook",
    "ChurnReview",
    "Contact",
    "Contract",
    "ContractLine",
    "EventSource",
    "FxRate",
    "HealthOverride",
    "HealthSnapshot",
    "JobRun",
    "MrrMovement",
    "Notification",
    "Plan",
    "Playbook",
    "PlaybookRun",
    "Product",
    "RenewalTerm",
    "RevenueFactState",
    "Rule",
    "RuleFiring",
    "RuleState",
    "SavedSegment",
    "Scorecard",
    "SentimentEntry",
    "Setting",
    "StaffUser",
    "Subscription",
    "SubscriptionItem",
    "SubscriptionPause",
    "Task",
    "TaskComment",
    "TaskEvent",
    "Team",
    "TierRule",
    "UsageDaily",
    "WatchEntry",
]
