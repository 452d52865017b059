"""Read the engine's inputs (subscriptions, contracts, FX rates) from the database.

Reads use Core selects over plain columns, not ORM objects, so that a full rebuild
of a large company loads in seconds.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Collection
from typing import Any, TypeVar, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.billing.models import (
    Contract,
    ContractLine,
    Subscription,
    SubscriptionItem,
    SubscriptionPause,
)
from tenure.fx.models import FxRate
from tenure.revenue.fx import FxTable
from tenure.revenue.inputs import (
    ContractInput,
    CustomerInput,
    ItemInput,
    SubscriptionInput,
)
from tenure.revenue.policy import Policy
from tenure.settings import service as settings

Q = TypeVar("Q")

# Above this many accounts, filtering by id in SQL costs more than reading all rows.
_MAX_ID_FILTER = 500


def load_policy(session: Session) -> Policy:
    """Return the revenue policy configured in settings."""
    values = {key: value for key, (value, _src) in settings.get_all(session).items()}
    return Policy.from_settings(values)


def today(session: Session) -> dt.date:
    """Return today's date in the configured time zone."""
    zone = zoneinfo.ZoneInfo(settings.get(session, "timezone"))
    return dt.datetime.now(zone).date()


def load_fx(session: Session, reporting_currency: str) -> FxTable:
    """Return every stored FX rate as a table into ``reporting_currency``."""
    rows = session.execute(
        select(FxRate.rate_date, FxRate.base, FxRate.quote, FxRate.rate)
    ).all()
    return FxTable(reporting_currency, [(r[0], r[1], r[2], r[3]) for r in rows])


def _restrict(query: Q, column: Any, account_ids: Collection[int] | None) -> Q:
    if account_ids is not None and len(account_ids) <= _MAX_ID_FILTER:
        return cast(Q, cast(Any, query).where(column.in_(list(account_ids))))
    return query


def load_customers(
    session: Session, account_ids: Collection[int] | None = None
) -> dict[int, CustomerInput]:
    """Return the inputs of the given accounts (every account when ``None``)."""
    wanted = None if account_ids is None else set(account_ids)
    subs = _load_subscriptions(session, wanted)
    contracts = _load_contracts(session, wanted)
    ids = set(subs) | set(contracts)
    if wanted is not None:
        ids |= wanted
    return {
        account: CustomerInput(
            account, tuple(subs.get(account, ())), tuple(contracts.get(account, ()))
        )
        for account in sorted(ids)
    }


def _load_subscriptions(
    session: Session, wanted: set[int] | None
) -> dict[int, list[SubscriptionInput]]:
    item_query = select(
        SubscriptionItem.subscription_id,
        SubscriptionItem.unit_amount_minor,
        SubscriptionItem.quantity,
        SubscriptionItem.start_date,
        SubscriptionItem.end_date,
        SubscriptionItem.discount_percent,
        SubscriptionItem.discount_amount_minor,
        SubscriptionItem.discount_end_date,
        SubscriptionItem.plan_id,
    ).join(Subscription, Subscription.id == SubscriptionItem.subscription_id)
    item_query = _restrict(item_query, Subscription.account_id, wanted)
    items: dict[int, list[ItemInput]] = defaultdict(list)
    for row in session.execute(item_query.order_by(SubscriptionItem.id)):
        items[row[0]].append(ItemInput(*row[1:]))

    pause_query = select(
        SubscriptionPause.subscription_id,
        SubscriptionPause.start_date,
        SubscriptionPause.end_date,
    ).join(Subscription, Subscription.id == SubscriptionPause.subscription_id)
    pause_query = _restrict(pause_query, Subscription.account_id, wanted)
    pauses: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for sub_id, start, end in session.execute(pause_query):
        pauses[sub_id].append((start, end))

    sub_query = select(
        Subscription.id,
        Subscription.account_id,
        Subscription.external_id,
        Subscription.currency,
        Subscription.start_date,
        Subscription.end_date,
        Subscription.interval,
        Subscription.interval_count,
        Subscription.trial_end_date,
        Subscription.canceled_at,
        Subscription.past_due_since,
        Subscription.plan_id,
    )
    sub_query = _restrict(sub_query, Subscription.account_id, wanted)
    result: dict[int, list[SubscriptionInput]] = defaultdict(list)
    sub_rows: list[Any] = list(session.execute(sub_query.order_by(Subscription.id)))
    for row in sub_rows:
        (sub_id, account, ext, currency, start, end, interval, count) = row[:8]
        trial_end, canceled_at, past_due, plan_id = row[8:]
        if wanted is not None and account not in wanted:
            continue
        result[account].append(
            SubscriptionInput(
                external_id=ext,
                currency=currency,
                start=start,
                items=tuple(items.get(sub_id, ())),
                end=end,
                interval=interval,
                interval_count=count,
                trial_end=trial_end,
                canceled_at=canceled_at,
                past_due_since=past_due,
                pauses=tuple(pauses.get(sub_id, ())),
                plan_id=plan_id,
            )
        )
    return result


def _load_contracts(
    session: Session, wanted: set[int] | None
) -> dict[int, list[ContractInput]]:
    recurring = (
        select(ContractLine.contract_id, func.sum(ContractLine.amount_minor))
        .where(ContractLine.kind == "recurring")
        .group_by(ContractLine.contract_id)
    )
    amounts = {cid: int(total or 0) for cid, total in session.execute(recurring)}
    query = select(
        Contract.id,
        Contract.account_id,
        Contract.external_id,
        Contract.currency,
        Contract.start_date,
        Contract.end_date,
        Contract.renews_contract_id,
        Contract.plan_id,
        Contract.forecast_renewal_minor,
    )
    query = _restrict(query, Contract.account_id, wanted)
    rows: list[Any] = list(session.execute(query.order_by(Contract.id)))
    external = {row[0]: row[2] for row in rows}
    missing = {row[6] for row in rows if row[6] is not None} - set(external)
    if missing:
        names = select(Contract.id, Contract.external_id).where(
            Contract.id.in_(missing)
        )
        external.update((row[0], row[1]) for row in session.execute(names))
    result: dict[int, list[ContractInput]] = defaultdict(list)
    for cid, account, ext, currency, start, end, renews, plan_id, forecast in rows:
        if wanted is not None and account not in wanted:
            continue
        result[account].append(
            ContractInput(
                external_id=ext,
                currency=currency,
                start=start,
                end=end,
                recurring_amount=amounts.get(cid, 0),
                renews=external.get(renews) if renews is not None else None,
                plan_id=plan_id,
                forecast_renewal=forecast,
            )
        )
    return result
