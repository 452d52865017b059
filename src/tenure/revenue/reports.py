"""Revenue reports over stored facts: MRR bridge, renewals, retention, cohorts.

Each report returns rows as ordered dicts of plain values: amounts as ``Decimal`` in
the reporting currency's major unit, rates as ``Decimal`` fractions (1 = 100%) or
``None`` where undefined. The CLI and the API share these functions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.billing.models import Plan
from tenure.money import to_major
from tenure.revenue.bridge import MoveRow, bridge
from tenure.revenue.calendar import add_months, month_start, period_start, periods
from tenure.revenue.loading import today
from tenure.revenue.models import (
    MOVEMENT_KINDS,
    AccountRevenue,
    MrrMovement,
    RenewalTerm,
)
from tenure.revenue.renewals import CHURNED, OPEN, WON
from tenure.revenue.retention import cohorts, retention
from tenure.revenue.service import fact_currency
from tenure.staff.models import StaffUser

DIMENSIONS = ("customer", "industry", "region", "tier", "owner", "plan", "currency")
NONE_LABEL = "(none)"
Row = dict[str, Any]
# The account ids a caller may see; None means every account.
Scope = frozenset[int] | None


class ReportError(ValueError):
    """A report was asked for with arguments that cannot work."""


def rate(value: Fraction | None, places: int = 4) -> Decimal | None:
    """Round a rate to ``places`` decimals, keeping ``None`` for undefined rates."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def money(minor: int | Fraction | None, currency: str) -> Decimal | None:
    """Convert reporting minor units (possibly fractional) into major units."""
    if minor is None:
        return None
    return to_major(round(minor), currency)


def account_dimensions(session: Session) -> dict[int, dict[str, str]]:
    """Return every account's value for each reporting dimension."""
    owners = {
        r[0]: r[1] for r in session.execute(select(StaffUser.id, StaffUser.email))
    }
    plans = {r[0]: r[1] for r in session.execute(select(Plan.id, Plan.external_id))}
    revenue = {
        row[0]: (row[1], row[2])
        for row in session.execute(
            select(AccountRevenue.account_id, AccountRevenue.plan_id,
                   AccountRevenue.currency)
        )
    }  # fmt: skip
    query = select(
        Account.id,
        Account.external_id,
        Account.industry,
        Account.region,
        Account.tier,
        Account.owner_id,
    )
    result: dict[int, dict[str, str]] = {}
    for account_id, external, industry, region, tier, owner in session.execute(query):
        plan_id, currency = revenue.get(account_id, (None, None))
        result[account_id] = {
            "customer": external,
            "industry": industry or NONE_LABEL,
            "region": region or NONE_LABEL,
            "tier": tier or NONE_LABEL,
            "owner": owners.get(owner, NONE_LABEL) if owner else NONE_LABEL,
            "plan": plans.get(plan_id, NONE_LABEL) if plan_id else NONE_LABEL,
            "currency": currency or NONE_LABEL,
        }
    return result


def _selector(
    session: Session,
    by: str | None,
    where: dict[str, str] | None,
    accounts: Scope = None,
) -> tuple[Callable[[int], str] | None, Callable[[int], bool]]:
    """Return the grouping function and the account filter for a report.

    ``accounts`` limits the report to those account ids (a caller's data scope);
    ``None`` means every account.
    """
    for key in [by, *(where or {})]:
        if key is not None and key not in DIMENSIONS:
            raise ReportError(
                f"unknown dimension '{key}'; use one of {', '.join(DIMENSIONS)}"
            )
    if by is None and not where:
        if accounts is None:
            return None, lambda _account: True
        return None, accounts.__contains__
    dims = account_dimensions(session)
    empty: dict[str, str] = {}

    def keep(account: int) -> bool:
        if accounts is not None and account not in accounts:
            return False
        values = dims.get(account, empty)
        return all(values.get(k) == v for k, v in (where or {}).items())

    group = (
        (lambda account: dims.get(account, empty).get(by, NONE_LABEL)) if by else None
    )
    return group, keep


def report_span(
    session: Session, interval: str, start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    """Fill in a report's missing dates: it ends today and starts 11 periods back."""
    last = end or today(session)
    if start:
        return start, last
    try:
        first = period_start(last, interval)
        for _ in range(11):
            first = period_start(first - dt.timedelta(days=1), interval)
    except ValueError as exc:
        raise ReportError(str(exc)) from None
    return first, last


def _periods(
    start: dt.date, end: dt.date, interval: str
) -> list[tuple[dt.date, dt.date]]:
    if end < start:
        raise ReportError(f"end {end} is before start {start}")
    try:
        return list(periods(start, end, interval))
    except ValueError as exc:
        raise ReportError(str(exc)) from None


def _moves(
    session: Session, before: dt.date, keep: Callable[[int], bool]
) -> list[MoveRow]:
    """Movements up to today and before ``before``.

    Movements dated after today (a contract's scheduled end, say) are plans, not
    history: reports show what has happened, so the current period runs to today.
    """
    before = min(before, today(session) + dt.timedelta(days=1))
    query = (
        select(
            MrrMovement.account_id,
            MrrMovement.date,
            MrrMovement.kind,
            MrrMovement.amount_minor,
        )
        .where(MrrMovement.date < before)
        .order_by(MrrMovement.date, MrrMovement.id)
    )
    return [
        (row[0], row[1], row[2], row[3])
        for row in session.execute(query)
        if keep(row[0])
    ]


def mrr_report(
    session: Session,
    interval: str,
    start: dt.date,
    end: dt.date,
    by: str | None = None,
    where: dict[str, str] | None = None,
    accounts: Scope = None,
) -> list[Row]:
    """Return the MRR bridge per period (and per group) between two dates."""
    currency = fact_currency(session)
    spans = _periods(start, end, interval)
    group, keep = _selector(session, by, where, accounts)
    rows = bridge(_moves(session, spans[-1][1], keep), spans, group)
    result: list[Row] = []
    for row in rows:
        out: Row = {"period": row.period}
        if by:
            out[by] = row.group
        out.update(
            {
                "mrr": money(row.mrr, currency),
                "new": money(row.new, currency),
                "expansion": money(row.expansion, currency),
                "reactivation": money(row.reactivation, currency),
                "contraction": money(row.contraction, currency),
                "churn": money(row.churn, currency),
                "fx_impact": money(row.fx_impact, currency),
                "customers": row.customers,
                "new_customers": row.new_customers,
                "churned_customers": row.churned_customers,
            }
        )
        if by and not (row.opening_mrr or row.mrr or row.customers or row.accounts):
            continue
        result.append(out)
    return result


def renewals_report(
    session: Session,
    interval: str,
    start: dt.date,
    end: dt.date,
    by: str | None = None,
    where: dict[str, str] | None = None,
    accounts: Scope = None,
) -> list[Row]:
    """Return renewal terms due per period, their outcomes and renewal rates.

    Rates count decided terms only (renewed or churned); open terms are shown apart.
    ``forecast_amount`` adds won renewals at their final amount and open terms at
    their forecast (never above the amount due).
    """
    currency = fact_currency(session)
    spans = _periods(start, end, interval)
    group, keep = _selector(session, by, where, accounts)
    query = select(
        RenewalTerm.account_id,
        RenewalTerm.due_date,
        RenewalTerm.outcome,
        RenewalTerm.due_amount_minor,
        RenewalTerm.renewed_amount_minor,
        RenewalTerm.forecast_amount_minor,
    ).where(RenewalTerm.due_date >= spans[0][0], RenewalTerm.due_date < spans[-1][1])
    buckets: dict[tuple[dt.date, str | None], list[tuple[str, int, int, int]]]
    buckets = defaultdict(list)
    starts = [s for s, _ in spans]
    for account, due_date, outcome, due, renewed, forecast in session.execute(query):
        if not keep(account):
            continue
        period = max(s for s in starts if s <= due_date)
        buckets[(period, group(account) if group else None)].append(
            (outcome, due, renewed, forecast or 0)
        )
    groups = sorted({g for _p, g in buckets}, key=lambda g: g or "") or [None]
    result: list[Row] = []
    for period, _next in spans:
        for name in groups:
            terms = buckets.get((period, name), [])
            if by and not terms:
                continue
            result.append(renewal_row(period, by, name, terms, currency))
    return result


def renewal_row(
    period: dt.date,
    by: str | None,
    name: str | None,
    terms: list[tuple[str, int, int, int]],
    currency: str,
) -> Row:
    """Counts, amounts and rates of ``(outcome, due, renewed, forecast)`` terms."""
    won = [t for t in terms if t[0] in WON]
    decided = [t for t in terms if t[0] != OPEN]
    decided_due = sum(t[1] for t in decided)
    out: Row = {"period": period}
    if by:
        out[by] = name
    out.update(
        {
            "due_count": len(terms),
            "renewed_count": len(won),
            "churned_count": sum(1 for t in terms if t[0] == CHURNED),
            "open_count": sum(1 for t in terms if t[0] == OPEN),
            "due_amount": money(sum(t[1] for t in terms), currency),
            "renewed_amount": money(sum(t[2] for t in won), currency),
            "forecast_amount": money(sum(t[3] for t in terms), currency),
            "rate_by_count": rate(
                Fraction(len(won), len(decided)) if decided else None
            ),
            "gross_rate_by_amount": rate(
                Fraction(sum(min(t[1], t[2]) for t in won), decided_due)
                if decided_due
                else None
            ),
            "net_rate_by_amount": rate(
                Fraction(sum(t[2] for t in won), decided_due) if decided_due else None
            ),
        }
    )
    return out


def retention_report(
    session: Session,
    interval: str,
    start: dt.date,
    end: dt.date,
    where: dict[str, str] | None = None,
    accounts: Scope = None,
) -> list[Row]:
    """Return logo churn, revenue churn, NRR, GRR, quick ratio, ARPA and LTV."""
    currency = fact_currency(session)
    spans = _periods(start, end, interval)
    _group, keep = _selector(session, None, where, accounts)
    moves = _moves(session, spans[-1][1], keep)
    return [
        {
            "period": row.period,
            "opening_mrr": money(row.opening_mrr, currency),
            "mrr": money(row.mrr, currency),
            "arr": money(row.mrr * 12, currency),
            "opening_customers": row.opening_customers,
            "customers": row.customers,
            "churned_customers": row.churned_customers,
            "logo_churn_rate": rate(row.logo_churn_rate),
            "gross_revenue_churn": rate(row.gross_revenue_churn),
            "net_revenue_churn": rate(row.net_revenue_churn),
            "nrr": rate(row.nrr),
            "grr": rate(row.grr),
            "nrr_12m": rate(row.nrr_12m),
            "grr_12m": rate(row.grr_12m),
            "quick_ratio": rate(row.quick_ratio, 2),
            "arpa": money(row.arpa, currency),
            "ltv": money(row.ltv, currency),
        }
        for row in retention(moves, spans)
    ]


def cohorts_report(
    session: Session,
    start: dt.date,
    end: dt.date,
    where: dict[str, str] | None = None,
    accounts: Scope = None,
) -> list[Row]:
    """Return monthly cohorts that started between two dates, followed until ``end``."""
    currency = fact_currency(session)
    _group, keep = _selector(session, None, where, accounts)
    last = month_start(end)
    moves = _moves(session, add_months(last, 1), keep)
    first = month_start(start)
    return [
        {
            "cohort": cell.cohort,
            "months_since_start": cell.month,
            "customers": cell.customers,
            "retained_customers": cell.retained_customers,
            "logo_retention": rate(cell.logo_retention),
            "mrr": money(cell.mrr, currency),
            "revenue_retention": rate(cell.revenue_retention),
        }
        for cell in cohorts(moves, last)
        if cell.cohort >= first
    ]


def movements_report(
    session: Session,
    start: dt.date,
    end: dt.date,
    kind: str | None = None,
    where: dict[str, str] | None = None,
    accounts: Scope = None,
) -> list[Row]:
    """List the customers behind the movements dated between two dates (inclusive)."""
    if kind is not None and kind not in MOVEMENT_KINDS:
        raise ReportError(
            f"unknown movement kind '{kind}'; use one of {', '.join(MOVEMENT_KINDS)}"
        )
    currency = fact_currency(session)
    _group, keep = _selector(session, None, where, accounts)
    names = _account_names(session)
    query = (
        select(
            MrrMovement.account_id,
            MrrMovement.date,
            MrrMovement.kind,
            MrrMovement.amount_minor,
            MrrMovement.mrr_after_minor,
        )
        .where(MrrMovement.date >= start, MrrMovement.date <= end)
        .order_by(MrrMovement.date, MrrMovement.id)
    )
    if kind is not None:
        query = query.where(MrrMovement.kind == kind)
    return [
        {
            "date": day,
            "customer": names.get(account, ("", ""))[0],
            "name": names.get(account, ("", ""))[1],
            "kind": move_kind,
            "amount": money(amount, currency),
            "mrr_after": money(after, currency),
        }
        for account, day, move_kind, amount, after in session.execute(query)
        if keep(account)
    ]


def renewal_terms_report(
    session: Session,
    start: dt.date,
    end: dt.date,
    outcome: str | None = None,
    where: dict[str, str] | None = None,
    accounts: Scope = None,
) -> list[Row]:
    """List the renewal terms due between two dates (inclusive), biggest first."""
    currency = fact_currency(session)
    _group, keep = _selector(session, None, where, accounts)
    names = _account_names(session)
    query = select(
        RenewalTerm.account_id,
        RenewalTerm.due_date,
        RenewalTerm.source,
        RenewalTerm.source_external_id,
        RenewalTerm.outcome,
        RenewalTerm.due_amount_minor,
        RenewalTerm.renewed_amount_minor,
    ).where(RenewalTerm.due_date >= start, RenewalTerm.due_date <= end)
    if outcome is not None:
        query = query.where(RenewalTerm.outcome == outcome)
    query = query.order_by(RenewalTerm.due_amount_minor.desc(), RenewalTerm.id)
    return [
        {
            "due_date": due_date,
            "customer": names.get(account, ("", ""))[0],
            "name": names.get(account, ("", ""))[1],
            "source": source,
            "source_id": source_id,
            "outcome": term_outcome,
            "due_amount": money(due, currency),
            "renewed_amount": money(renewed, currency),
        }
        for account, due_date, source, source_id, term_outcome, due, renewed in (
            session.execute(query)
        )
        if keep(account)
    ]


def active_customers_report(
    session: Session,
    where: dict[str, str] | None = None,
    accounts: Scope = None,
) -> list[Row]:
    """List today's paying customers with their MRR, biggest first."""
    currency = fact_currency(session)
    _group, keep = _selector(session, None, where, accounts)
    names = _account_names(session)
    query = (
        select(AccountRevenue.account_id, AccountRevenue.mrr_minor)
        .where(AccountRevenue.active.is_(True))
        .order_by(AccountRevenue.mrr_minor.desc(), AccountRevenue.account_id)
    )
    return [
        {
            "customer": names.get(account, ("", ""))[0],
            "name": names.get(account, ("", ""))[1],
            "mrr": money(mrr, currency),
        }
        for account, mrr in session.execute(query)
        if keep(account)
    ]


def _account_names(session: Session) -> dict[int, tuple[str, str]]:
    """Map account ids to their external id and name."""
    query = select(Account.id, Account.external_id, Account.name)
    return {row[0]: (row[1], row[2]) for row in session.execute(query)}
