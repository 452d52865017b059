"""Read the engine's inputs (subscriptions, contracts, FX rates) from the database.

The large tables are read through the driver (see :mod:`tenure.db.bulk`), not the
ORM, so that a full rebuild of a large company loads in seconds.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.db.bulk import as_date, as_decimal, fetch
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


def _where(column: str, account_ids: Collection[int] | None) -> str:
    """SQL restricting ``column`` to the wanted accounts (ids are integers)."""
    if account_ids is None or len(account_ids) > _MAX_ID_FILTER:
        return ""
    ids = ", ".join(str(int(a)) for a in account_ids) or "NULL"
    return f" WHERE {column} IN ({ids})"


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
    where = _where("s.account_id", wanted)
    items: dict[int, list[ItemInput]] = defaultdict(list)
    for row in fetch(
        session,
        "SELECT i.subscription_id, i.unit_amount_minor, i.quantity, i.start_date,"
        " i.end_date, i.discount_percent, i.discount_amount_minor,"
        " i.discount_end_date, i.plan_id FROM subscription_item i"
        f" JOIN subscription s ON s.id = i.subscription_id{where} ORDER BY i.id",
    ):
        items[row[0]].append(
            ItemInput(
                row[1],
                row[2],
                as_date(row[3]),
                as_date(row[4]),
                as_decimal(row[5]),
                row[6],
                as_date(row[7]),
                row[8],
            )
        )
    pauses: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for sub_id, start, end in fetch(
        session,
        "SELECT p.subscription_id, p.start_date, p.end_date FROM subscription_pause p"
        f" JOIN subscription s ON s.id = p.subscription_id{where}"
        " ORDER BY p.start_date",
    ):
        pauses[sub_id].append((as_date(start), as_date(end)))  # type: ignore[arg-type]
    result: dict[int, list[SubscriptionInput]] = defaultdict(list)
    for row in fetch(
        session,
        "SELECT s.id, s.account_id, s.external_id, s.currency, s.start_date,"
        " s.end_date, s.interval, s.interval_count, s.trial_end_date,"
        f" s.canceled_at, s.past_due_since, s.plan_id FROM subscription s{where}"
        " ORDER BY s.id",
    ):
        sub_id, account = row[0], row[1]
        if wanted is not None and account not in wanted:
            continue
        result[account].append(
            SubscriptionInput(
                external_id=row[2],
                currency=row[3],
                start=as_date(row[4]),  # type: ignore[arg-type]
                items=tuple(items.get(sub_id, ())),
                end=as_date(row[5]),
                interval=row[6],
                interval_count=row[7],
                trial_end=as_date(row[8]),
                canceled_at=as_date(row[9]),
                past_due_since=as_date(row[10]),
                pauses=tuple(pauses.get(sub_id, ())),
                plan_id=row[11],
            )
        )
    return result


def _load_contracts(
    session: Session, wanted: set[int] | None
) -> dict[int, list[ContractInput]]:
    where = _where("c.account_id", wanted)
    amounts: dict[int, int] = defaultdict(int)
    for contract_id, amount in fetch(
        session,
        "SELECT l.contract_id, l.amount_minor FROM contract_line l"
        f" JOIN contract c ON c.id = l.contract_id{where}"
        f"{' AND' if where else ' WHERE'} l.kind = 'recurring'",
    ):
        amounts[contract_id] += amount
    rows = fetch(
        session,
        "SELECT c.id, c.account_id, c.external_id, c.currency, c.start_date,"
        " c.end_date, c.renews_contract_id, c.plan_id, c.forecast_renewal_minor"
        f" FROM contract c{where} ORDER BY c.id",
    )
    external = {row[0]: row[2] for row in rows}
    missing = {row[6] for row in rows if row[6] is not None} - set(external)
    if missing:
        ids = ", ".join(str(int(i)) for i in missing)
        for row in fetch(
            session, f"SELECT id, external_id FROM contract WHERE id IN ({ids})"
        ):
            external[row[0]] = row[1]
    result: dict[int, list[ContractInput]] = defaultdict(list)
    for cid, account, ext, currency, start, end, renews, plan_id, forecast in rows:
        if wanted is not None and account not in wanted:
            continue
        result[account].append(
            ContractInput(
                external_id=ext,
                currency=currency,
                start=as_date(start),  # type: ignore[arg-type]
                end=as_date(end),  # type: ignore[arg-type]
                recurring_amount=amounts.get(cid, 0),
                renews=external.get(renews) if renews is not None else None,
                plan_id=plan_id,
                forecast_renewal=forecast,
            )
        )
    return result
