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
from tenure.db.base import Base
from tenure.fx.models import FxRate
from tenure.health.models import (
    HealthOverride,
    HealthSnapshot,
    Scorecard,
    SentimentEntry,
)
from tenure.jobs.models import JobRun
from tenure.revenue.models import (
    AccountMonthSnapshot,
    AccountRevenue,
    MrrMovement,
    RenewalTerm,
    RevenueFactState,
)
from tenure.settings.models import Setting
from tenure.staff.models import StaffUser, Team
from tenure.usage.models import EventSource, UsageDaily

__all__ = [
    "Account",
    "AccountMonthSnapshot",
    "AccountOwnerHistory",
    "AccountRevenue",
    "ApiKey",
    "AuthSession",
    "Base",
    "Contact",
    "Contract",
    "ContractLine",
    "EventSource",
    "FxRate",
    "HealthOverride",
    "HealthSnapshot",
    "JobRun",
    "MrrMovement",
    "Plan",
    "Product",
    "RenewalTerm",
    "RevenueFactState",
    "Scorecard",
    "SentimentEntry",
    "Setting",
    "StaffUser",
    "Subscription",
    "SubscriptionItem",
    "SubscriptionPause",
    "Team",
    "UsageDaily",
]
