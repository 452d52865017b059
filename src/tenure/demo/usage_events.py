"""The demo product's tracked events, how often each is used and its properties."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

SIGNED_IN = "Signed In"
REPORTS = ("Revenue by month", "Open invoices", "Pipeline", "Team activity", "Churn")
CHINA_INTEGRATIONS = ("wechat-work", "dingtalk", "feishu", "kingdee", "yonyou")
INTERNATIONAL_INTEGRATIONS = ("slack", "salesforce", "hubspot", "quickbooks", "xero")
REPORT_IDS = tuple(f"rpt_{n}" for n in range(1, 41))
DASHBOARD_IDS = tuple(f"dsh_{n}" for n in range(1, 26))  # made during onboarding
NEW_DASHBOARD_IDS = tuple(f"dsh_{n}" for n in range(26, 100))
WORKFLOW_IDS = tuple(f"wf_{n}" for n in range(1, 13))
ENDPOINTS = ("/v1/reports", "/v1/invoices", "/v1/customers", "/v1/exports")

Properties = Callable[[random.Random], dict[str, Any]]


@dataclass(frozen=True)
class Feature:
    """A tracked event: its weight among a user's actions and the plan it needs."""

    event: str
    weight: float
    advanced: bool
    min_plan: int  # 0 Starter, 1 Growth, 2 Business (and every contract)
    properties: Properties


def _pick(rng: random.Random, values: tuple[str, ...]) -> str:
    """Return one of ``values``; cheaper than ``rng.choice`` on the hot path."""
    return values[int(rng.random() * len(values))]


def _number(rng: random.Random, low: int, high: int) -> int:
    """Return an integer from ``low`` to ``high``; cheaper than ``rng.randint``."""
    return low + int(rng.random() * (high - low + 1))


def _report(rng: random.Random) -> dict[str, Any]:
    return {"report": _pick(rng, REPORTS), "report_id": _pick(rng, REPORT_IDS)}


def _dashboard(rng: random.Random) -> dict[str, Any]:
    return {"dashboard_id": _pick(rng, DASHBOARD_IDS)}


def _created(rng: random.Random) -> dict[str, Any]:
    return {
        "dashboard_id": _pick(rng, NEW_DASHBOARD_IDS),
        "widgets": _number(rng, 2, 9),
    }


def _comment(rng: random.Random) -> dict[str, Any]:
    return {"object_type": _pick(rng, ("report", "dashboard", "invoice"))}


def _export(rng: random.Random) -> dict[str, Any]:
    formats = ("xlsx", "xlsx", "csv", "pdf")
    return {"format": _pick(rng, formats), "rows": _number(rng, 10, 5000)}


def _invoice(rng: random.Random) -> dict[str, Any]:
    return {
        "invoice_id": f"inv_{_number(rng, 1000, 99999)}",
        "lines": _number(rng, 1, 12),
    }


def _schedule(rng: random.Random) -> dict[str, Any]:
    return {"frequency": _pick(rng, ("daily", "weekly", "weekly", "monthly"))}


def _workflow(rng: random.Random) -> dict[str, Any]:
    status = "failed" if rng.random() < 0.04 else "succeeded"
    return {"workflow_id": _pick(rng, WORKFLOW_IDS), "status": status}


def _invite(rng: random.Random) -> dict[str, Any]:
    return {"invitee_role": _pick(rng, ("member", "member", "viewer", "admin"))}


def _api(rng: random.Random) -> dict[str, Any]:
    return {"endpoint": _pick(rng, ENDPOINTS)}


def _none(rng: random.Random) -> dict[str, Any]:
    return {}


# Core features first, then advanced ones in the order accounts adopt them.
FEATURES = (
    Feature("Report Viewed", 30, False, 0, _report),
    Feature("Dashboard Viewed", 24, False, 0, _dashboard),
    Feature("Invoice Sent", 12, False, 0, _invoice),
    Feature("Comment Added", 9, False, 0, _comment),
    Feature("Export Downloaded", 8, False, 0, _export),
    Feature("Dashboard Created", 3, True, 0, _created),
    Feature("Report Scheduled", 2, True, 1, _schedule),
    Feature("Workflow Run", 10, True, 1, _workflow),
    Feature("Integration Connected", 0.4, True, 1, _none),
    Feature("User Invited", 0.6, True, 0, _invite),
    Feature("API Call", 14, True, 2, _api),
)
CORE = tuple(feature for feature in FEATURES if not feature.advanced)
ADVANCED = tuple(feature for feature in FEATURES if feature.advanced)
EVENT_NAMES = (SIGNED_IN, *(feature.event for feature in FEATURES))


def integration_properties(chinese: bool) -> Properties:
    """Return the properties builder of "Integration Connected" for a market."""
    pool = CHINA_INTEGRATIONS if chinese else INTERNATIONAL_INTEGRATIONS

    def build(rng: random.Random) -> dict[str, Any]:
        return {"integration": _pick(rng, pool)}

    return build
