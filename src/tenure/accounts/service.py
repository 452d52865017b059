"""Customer list and customer 360 for the web pages and the JSON API.

Every function takes the caller's data scope ``owners``: the staff user ids whose
accounts the caller may see, or ``None`` for every account. An account outside the
scope behaves exactly as if it did not exist.

The list is filtered, sorted and paged in SQL (one statement for the page, one for
the count), so it answers quickly for a large company. Money is a ``Decimal`` in the
major unit of its currency: the reporting currency for revenue facts, a
subscription's or contract's own currency for what it bills.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    case,
    cast,
    exists,
    func,
    literal,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session, aliased, selectinload

from tenure.accounts import export
from tenure.accounts.models import Account, AccountOwnerHistory, Contact
from tenure.billing.models import Contract, Plan, Subscription
from tenure.money import to_major
from tenure.revenue.calendar import add_months, month_start
from tenure.revenue.loading import today
from tenure.revenue.models import (
    AccountMonthSnapshot,
    AccountRevenue,
    MrrMovement,
    RenewalTerm,
)
from tenure.revenue.service import fact_currency
from tenure.segments import service as segments
from tenure.segments.facts import id_in
from tenure.segments.schemas import SegmentError
from tenure.staff.models import StaffUser

log = logging.getLogger(__name__)

SORT_FIELDS = (
    "account_id",
    "name",
    "industry",
    "region",
    "tier",
    "owner",
    "mrr",
    "status",
    "customer_since",
)
# active: AccountRevenue.active; churned: had revenue but is not active now;
# prospect: never had revenue.
STATUSES = ("active", "churned", "prospect")
EXPORT_FORMATS = ("csv", "xlsx")
MAX_PAGE_SIZE = 500
# What a subscription is doing today, derived from its dates (nothing is stored).
SUBSCRIPTION_STATUSES = (
    "scheduled",
    "trialing",
    "active",
    "past_due",
    "paused",
    "canceling",
    "ended",
)
FILTER_FIELDS = ("industry", "region", "tier", "owner", "plan", "tag")

Row = dict[str, Any]
# The staff user ids whose accounts a caller may see; None means every account.
Owners = frozenset[int] | None


class NotFound(LookupError):
    """An account that does not exist or is outside the caller's scope."""


class QueryError(ValueError):
    """A filter, sort or page value that cannot work; the message names both."""


@dataclass(frozen=True)
class AccountQuery:
    """Filters, sort order and page of a customer-list request.

    Empty or blank filter values mean "no filter", as an unselected dropdown does.
    """

    search: str | None = None
    industry: str | None = None
    region: str | None = None
    tier: str | None = None
    owner: str | None = None
    plan: str | None = None
    status: str | None = None
    tag: str | None = None
    # A saved segment's key: its members today.
    segment: str | None = None
    sort: str = "name"
    descending: bool = False
    page: int = 1
    page_size: int = 50


@dataclass(frozen=True)
class AccountPage:
    """One page of the customer list and the number of matching rows on all pages."""

    total: int
    page: int
    page_size: int
    rows: list[Row]


def _status() -> ColumnElement[str]:
    """The account status as SQL: active, churned or prospect."""
    return case(
        (AccountRevenue.active.is_(True), literal("active")),
        (AccountRevenue.first_revenue_date.is_not(None), literal("churned")),
        else_=literal("prospect"),
    )


def _mrr_minor() -> ColumnElement[int]:
    """Today's MRR in reporting minor units as SQL; 0 without revenue facts."""
    return func.coalesce(AccountRevenue.mrr_minor, 0)


def _sort_key(field: str) -> SQLColumnExpression[Any]:
    """The SQL expression behind a sort field (already validated)."""
    keys: dict[str, SQLColumnExpression[Any]] = {
        "account_id": Account.external_id,
        "name": Account.name,
        "industry": Account.industry,
        "region": Account.region,
        "tier": Account.tier,
        "owner": StaffUser.email,
        "mrr": _mrr_minor(),
        "status": _status(),
        "customer_since": AccountRevenue.first_revenue_date,
    }
    return keys[field]


def _joined(statement: Select[Any]) -> Select[Any]:
    """Outer-join an account statement to its revenue summary, owner and plan."""
    return (
        statement.select_from(Account)
        .outerjoin(AccountRevenue, AccountRevenue.account_id == Account.id)
        .outerjoin(StaffUser, StaffUser.id == Account.owner_id)
        .outerjoin(Plan, Plan.id == AccountRevenue.plan_id)
    )


def _in_scope(owners: Owners) -> list[ColumnElement[bool]]:
    """Conditions that keep only the accounts of ``owners`` (none for all)."""
    if owners is None:
        return []
    return [Account.owner_id.in_(sorted(owners))]


def _given(value: str | None) -> str | None:
    """Return a filter value without surrounding blanks, or None when empty."""
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


def _has_tag(session: Session, tag: str) -> ColumnElement[bool]:
    """SQL that is true when the account's JSON ``tags`` list holds ``tag``."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(Account.tags, JSONB).contains([tag])
    each = func.json_each(Account.tags).table_valued("value")
    return exists(select(1).select_from(each).where(each.c.value == tag))


def _check(query: AccountQuery) -> None:
    """Raise ``QueryError`` for a sort, status or page value that cannot work."""
    if query.sort not in SORT_FIELDS:
        raise QueryError(
            f"sort field '{query.sort}' is unknown; use one of {', '.join(SORT_FIELDS)}"
        )
    status = _given(query.status)
    if status is not None and status not in STATUSES:
        raise QueryError(
            f"status '{query.status}' is unknown; use one of {', '.join(STATUSES)}"
        )
    if isinstance(query.page, bool) or not isinstance(query.page, int):
        raise QueryError(f"page '{query.page}' is not a whole number")
    if query.page < 1:
        raise QueryError(f"page {query.page} is invalid: pages start at 1")
    if isinstance(query.page_size, bool) or not isinstance(query.page_size, int):
        raise QueryError(f"page_size '{query.page_size}' is not a whole number")
    if not 1 <= query.page_size <= MAX_PAGE_SIZE:
        raise QueryError(
            f"page_size {query.page_size} is out of range: use 1 to {MAX_PAGE_SIZE}"
        )


def _conditions(
    session: Session, query: AccountQuery, owners: Owners
) -> list[ColumnElement[bool]]:
    """The WHERE conditions of a list query: scope first, then each filter."""
    conditions = _in_scope(owners)
    search = _given(query.search)
    if search is not None:
        conditions.append(
            Account.external_id.icontains(search, autoescape=True)
            | Account.name.icontains(search, autoescape=True)
        )
    for field, column in (
        ("industry", Account.industry),
        ("region", Account.region),
        ("tier", Account.tier),
        ("plan", Plan.external_id),
    ):
        value = _given(getattr(query, field))
        if value is not None:
            conditions.append(column == value)
    owner = _given(query.owner)
    if owner is not None:
        conditions.append(func.lower(StaffUser.email) == owner.lower())
    status = _given(query.status)
    if status is not None:
        conditions.append(_status() == status)
    tag = _given(query.tag)
    if tag is not None:
        conditions.append(_has_tag(session, tag))
    segment = _given(query.segment)
    if segment is not None:
        conditions.append(_in_segment(session, segment, owners))
    return conditions


def _in_segment(session: Session, key: str, owners: Owners) -> ColumnElement[bool]:
    """SQL keeping the members (today) of the saved segment ``key``."""
    try:
        found = segments.get_segment(session, key)
        ids = segments.member_ids(
            session, found, today(session), segments.scope_ids(session, owners)
        )
    except SegmentError as exc:
        raise QueryError(f"segment '{key}': {exc.reason}") from None
    return id_in(Account.id, ids)


def _row_columns() -> tuple[SQLColumnExpression[Any], ...]:
    """The columns a list row is built from, in ``_to_row`` order."""
    return (
        Account.external_id,
        Account.name,
        Account.industry,
        Account.region,
        Account.size,
        Account.tier,
        Account.tags,
        StaffUser.email,
        StaffUser.name,
        Plan.external_id.label("plan_external_id"),
        _mrr_minor().label("mrr_minor"),
        _status().label("status"),
        AccountRevenue.first_revenue_date,
    )


def _to_row(record: Any, currency: str) -> Row:
    """Turn one selected record into a list row of plain values."""
    (external_id, name, industry, region, size, tier, tags, email, owner_name,
     plan, mrr_minor, status, first_revenue) = record  # fmt: skip
    mrr = to_major(int(mrr_minor), currency)
    return {
        "account_id": external_id,
        "name": name,
        "industry": industry,
        "region": region,
        "size": size,
        "tier": tier,
        "tags": list(tags or []),
        "owner": email,
        "owner_name": owner_name,
        "plan": plan,
        "mrr": mrr,
        "arr": mrr * 12,
        "currency": currency,
        "status": status,
        "customer_since": first_revenue,
    }


def _rows_statement(
    query: AccountQuery, conditions: list[ColumnElement[bool]]
) -> Select[Any]:
    """The sorted list statement over ``conditions``, without paging."""
    key = _sort_key(query.sort)
    ordered = key.desc() if query.descending else key.asc()
    return (
        _joined(select(*_row_columns()))
        .where(*conditions)
        .order_by(ordered.nulls_last(), Account.external_id.asc())
    )


def list_accounts(session: Session, query: AccountQuery, owners: Owners) -> AccountPage:
    """Return one page of the accounts in scope that match ``query``."""
    _check(query)
    currency = fact_currency(session)
    # Built once: a segment's members are computed for the page and the count.
    conditions = _conditions(session, query, owners)
    statement = (
        _rows_statement(query, conditions)
        .limit(query.page_size)
        .offset((query.page - 1) * query.page_size)
    )
    rows = [_to_row(record, currency) for record in session.execute(statement)]
    counted = _joined(select(func.count(Account.id))).where(*conditions)
    total = session.scalar(counted) or 0
    return AccountPage(
        total=total, page=query.page, page_size=query.page_size, rows=rows
    )


def iter_accounts(session: Session, query: AccountQuery, owners: Owners) -> list[Row]:
    """Return every account in scope that matches ``query``, in list order, unpaged."""
    _check(query)
    currency = fact_currency(session)
    statement = _rows_statement(query, _conditions(session, query, owners))
    return [_to_row(record, currency) for record in session.execute(statement)]


def export_accounts(
    session: Session, query: AccountQuery, owners: Owners, fmt: str
) -> bytes:
    """Return the matching accounts as a CSV (UTF-8 with BOM) or XLSX file."""
    if fmt not in EXPORT_FORMATS:
        raise QueryError(
            f"export format '{fmt}' is unknown; use one of {', '.join(EXPORT_FORMATS)}"
        )
    rows = iter_accounts(session, query, owners)
    log.info("exporting %d accounts as %s", len(rows), fmt)
    if fmt == "csv":
        return export.to_csv(rows)
    return export.to_xlsx(rows)


def _tags_in_scope(session: Session, owners: Owners) -> set[str]:
    """Every distinct tag of the accounts in scope."""
    if session.get_bind().dialect.name == "postgresql":
        tags = cast(Account.tags, JSONB)
        array = case(
            (func.jsonb_typeof(tags) == "array", tags),
            else_=cast(literal("[]"), JSONB),
        )
        element = func.jsonb_array_elements_text(array)
        statement = select(element).select_from(Account).where(*_in_scope(owners))
    else:
        each = func.json_each(Account.tags).table_valued("value", "type")
        statement = (
            select(each.c.value)
            .select_from(Account)
            .join(each, true())
            .where(each.c.type == "text", *_in_scope(owners))
        )
    return {str(value) for value in session.scalars(statement.distinct())}


def filter_options(session: Session, owners: Owners) -> dict[str, list[str]]:
    """Return the distinct non-empty filter values within scope, sorted, per field."""
    scope = _in_scope(owners)
    found: dict[str, set[str]] = {}
    for field, column in (
        ("industry", Account.industry),
        ("region", Account.region),
        ("tier", Account.tier),
        ("owner", StaffUser.email),
        ("plan", Plan.external_id),
    ):
        statement = _joined(select(column)).where(*scope, column.is_not(None))
        found[field] = set(session.scalars(statement.distinct()))
    found["tag"] = _tags_in_scope(session, owners)
    return {
        field: sorted(value for value in found[field] if value and value.strip())
        for field in FILTER_FIELDS
    }


def account_id_in_scope(session: Session, external_id: str, owners: Owners) -> int:
    """Return the id of an account in scope, or raise ``NotFound``."""
    statement = select(Account.id).where(
        Account.external_id == external_id, *_in_scope(owners)
    )
    found = session.scalar(statement)
    if found is None:
        raise NotFound(f"account '{external_id}' not found")
    return found


def expand_snapshots(
    spans: list[tuple[dt.date, dt.date | None, int]], current: dt.date
) -> list[tuple[dt.date, int]]:
    """Expand run-length month spans into one (month, mrr) per month up to ``current``.

    A span ``(month_from, month_to, mrr)`` holds from ``month_from`` to ``month_to``
    inclusive (``None``: until further notice). The series runs from the first span's
    month to ``current``'s month; months no span covers have 0.
    """
    if not spans:
        return []
    last = month_start(current)
    values: dict[dt.date, int] = {}
    for start, end, mrr in spans:
        month = month_start(start)
        stop = last if end is None else min(month_start(end), last)
        while month <= stop:
            values[month] = mrr
            month = add_months(month, 1)
    month = min(month_start(start) for start, _end, _mrr in spans)
    series: list[tuple[dt.date, int]] = []
    while month <= last:
        series.append((month, values.get(month, 0)))
        month = add_months(month, 1)
    return series


def subscription_status(subscription: Subscription, on: dt.date) -> str:
    """Return what a subscription is doing on day ``on`` (see SUBSCRIPTION_STATUSES)."""
    if subscription.start_date > on:
        return "scheduled"
    if subscription.end_date is not None and subscription.end_date <= on:
        return "ended"
    for pause in subscription.pauses:
        if pause.start_date <= on and (pause.end_date is None or on < pause.end_date):
            return "paused"
    if subscription.trial_end_date is not None and on < subscription.trial_end_date:
        return "trialing"
    if subscription.past_due_since is not None and subscription.past_due_since <= on:
        return "past_due"
    if subscription.canceled_at is not None or subscription.end_date is not None:
        return "canceling"
    return "active"


def _major(minor: int | None, currency: str) -> Any:
    """Major units of ``minor``, keeping None."""
    return None if minor is None else to_major(minor, currency)


def _plans(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    """Return ``{plan id: (external id, name)}`` for ``ids``."""
    if not ids:
        return {}
    statement = select(Plan.id, Plan.external_id, Plan.name).where(
        Plan.id.in_(sorted(ids))
    )
    return {row[0]: (row[1], row[2]) for row in session.execute(statement)}


def _subscriptions(session: Session, account: int, on: dt.date) -> list[Row]:
    """The account's subscriptions with items and pauses, newest start first."""
    subscriptions = list(
        session.scalars(
            select(Subscription)
            .where(Subscription.account_id == account)
            .options(
                selectinload(Subscription.items), selectinload(Subscription.pauses)
            )
            .order_by(Subscription.start_date.desc(), Subscription.external_id)
        )
    )
    plan_ids = {s.plan_id for s in subscriptions if s.plan_id is not None}
    plan_ids |= {i.plan_id for s in subscriptions for i in s.items if i.plan_id}
    plans = _plans(session, plan_ids)
    none: tuple[str | None, str | None] = (None, None)
    result: list[Row] = []
    for sub in subscriptions:
        currency = sub.currency
        plan, plan_name = plans.get(sub.plan_id, none) if sub.plan_id else none
        items = [
            {
                "plan": plans[item.plan_id][0] if item.plan_id else None,
                "unit_amount": to_major(item.unit_amount_minor, currency),
                "quantity": item.quantity,
                "amount": to_major(item.unit_amount_minor * item.quantity, currency),
                "currency": currency,
                "start_date": item.start_date,
                "end_date": item.end_date,
                "discount_percent": item.discount_percent,
                "discount_amount": _major(item.discount_amount_minor, currency),
                "discount_end_date": item.discount_end_date,
            }
            for item in sub.items
        ]
        result.append(
            {
                "subscription_id": sub.external_id,
                "status": subscription_status(sub, on),
                "plan": plan,
                "plan_name": plan_name,
                "currency": currency,
                "interval": sub.interval,
                "interval_count": sub.interval_count,
                "start_date": sub.start_date,
                "end_date": sub.end_date,
                "trial_end_date": sub.trial_end_date,
                "canceled_at": sub.canceled_at,
                "past_due_since": sub.past_due_since,
                "pauses": [
                    {"start_date": p.start_date, "end_date": p.end_date}
                    for p in sub.pauses
                ],
                "items": items,
            }
        )
    return result


def _contracts(session: Session, account: int) -> list[Row]:
    """The account's contracts with their lines, newest start first."""
    renewed = aliased(Contract)
    records = session.execute(
        select(Contract, renewed.external_id)
        .outerjoin(renewed, renewed.id == Contract.renews_contract_id)
        .where(Contract.account_id == account)
        .options(selectinload(Contract.lines))
        .order_by(Contract.start_date.desc(), Contract.external_id)
    ).all()
    plans = _plans(session, {c.plan_id for c, _r in records if c.plan_id is not None})
    result: list[Row] = []
    for contract, renews in records:
        currency = contract.currency
        recurring = sum(
            ln.amount_minor for ln in contract.lines if ln.kind == "recurring"
        )
        one_time = sum(
            ln.amount_minor for ln in contract.lines if ln.kind != "recurring"
        )
        result.append(
            {
                "contract_id": contract.external_id,
                "start_date": contract.start_date,
                "end_date": contract.end_date,
                "signed_date": contract.signed_date,
                "currency": currency,
                "plan": plans[contract.plan_id][0] if contract.plan_id else None,
                "amount": to_major(recurring, currency),
                "recurring_amount": to_major(recurring, currency),
                "one_time_amount": to_major(one_time, currency),
                "total_amount": to_major(recurring + one_time, currency),
                "renews_contract_id": renews,
                "forecast_renewal_amount": _major(
                    contract.forecast_renewal_minor, currency
                ),
                "lines": [
                    {
                        "kind": line.kind,
                        "amount": to_major(line.amount_minor, currency),
                        "description": line.description,
                    }
                    for line in contract.lines
                ],
            }
        )
    return result


def _owner_history(session: Session, account: int) -> list[Row]:
    """The account's owners, newest first."""
    statement = (
        select(
            StaffUser.email,
            StaffUser.name,
            AccountOwnerHistory.start_date,
            AccountOwnerHistory.end_date,
        )
        .select_from(AccountOwnerHistory)
        .outerjoin(StaffUser, StaffUser.id == AccountOwnerHistory.owner_id)
        .where(AccountOwnerHistory.account_id == account)
        .order_by(AccountOwnerHistory.start_date.desc(), AccountOwnerHistory.id.desc())
    )
    return [
        {"owner": email, "owner_name": name, "start_date": start, "end_date": end}
        for email, name, start, end in session.execute(statement)
    ]


def _mrr_history(
    session: Session, account: int, currency: str, on: dt.date
) -> list[Row]:
    """The account's month-end MRR for every month from its first to ``on``'s."""
    statement = select(
        AccountMonthSnapshot.month_from,
        AccountMonthSnapshot.month_to,
        AccountMonthSnapshot.mrr_minor,
    ).where(AccountMonthSnapshot.account_id == account)
    spans = [(row[0], row[1], row[2]) for row in session.execute(statement)]
    return [
        {"month": month, "mrr": to_major(mrr, currency)}
        for month, mrr in expand_snapshots(spans, on)
    ]


def _movements(session: Session, account: int, currency: str, on: dt.date) -> list[Row]:
    """The account's MRR movements, newest first; later ones are marked scheduled."""
    statement = (
        select(
            MrrMovement.date,
            MrrMovement.kind,
            MrrMovement.amount_minor,
            MrrMovement.mrr_after_minor,
        )
        .where(MrrMovement.account_id == account)
        .order_by(MrrMovement.date.desc(), MrrMovement.id.desc())
    )
    return [
        {
            "date": day,
            "kind": kind,
            "amount": to_major(amount, currency),
            "mrr_after": to_major(after, currency),
            "scheduled": day > on,
        }
        for day, kind, amount, after in session.execute(statement)
    ]


def _renewals(session: Session, account: int, currency: str) -> list[Row]:
    """The account's renewal terms (annualised amounts), newest due date first."""
    statement = (
        select(
            RenewalTerm.source,
            RenewalTerm.source_external_id,
            RenewalTerm.term_start,
            RenewalTerm.due_date,
            RenewalTerm.due_amount_minor,
            RenewalTerm.outcome,
            RenewalTerm.renewal_external_id,
            RenewalTerm.renewed_amount_minor,
            RenewalTerm.forecast_amount_minor,
        )
        .where(RenewalTerm.account_id == account)
        .order_by(RenewalTerm.due_date.desc(), RenewalTerm.id.desc())
    )
    return [
        {
            "source": source,
            "source_id": source_id,
            "term_start": start,
            "due_date": due_date,
            "due_amount": to_major(due, currency),
            "outcome": outcome,
            "renewal_id": renewal_id,
            "renewed_amount": to_major(renewed, currency),
            "forecast_amount": _major(forecast, currency),
        }
        for (source, source_id, start, due_date, due, outcome, renewal_id, renewed,
             forecast) in session.execute(statement)
    ]  # fmt: skip


def _contacts(session: Session, account: int) -> list[Row]:
    """The account's contacts, the primary ones first, then by name."""
    statement = (
        select(Contact.name, Contact.email, Contact.phone, Contact.title,
               Contact.is_primary)
        .where(Contact.account_id == account)
        .order_by(Contact.is_primary.desc(), Contact.name, Contact.id)
    )  # fmt: skip
    return [
        {
            "name": name,
            "email": email,
            "phone": phone,
            "title": title,
            "is_primary": bool(primary),
        }
        for name, email, phone, title, primary in session.execute(statement)
    ]


def account_detail(session: Session, account_id: str, owners: Owners) -> Row:
    """Return the customer 360 of an account by external id; ``NotFound`` if unseen."""
    account = account_id_in_scope(session, account_id, owners)
    currency = fact_currency(session)
    on = today(session)
    statement = _joined(
        select(*_row_columns(), Account.custom_attributes, Account.source_created_at)
    ).where(Account.id == account)
    record = session.execute(statement).one()
    profile = _to_row(record[:-2], currency)
    profile["custom_attributes"] = dict(record[-2] or {})
    profile["created_at"] = record[-1]
    profile["owner_history"] = _owner_history(session, account)
    return {
        "profile": profile,
        "subscriptions": _subscriptions(session, account, on),
        "contracts": _contracts(session, account),
        "mrr_history": _mrr_history(session, account, currency, on),
        "movements": _movements(session, account, currency, on),
        "renewals": _renewals(session, account, currency),
        "contacts": _contacts(session, account),
        "currency": currency,
    }
