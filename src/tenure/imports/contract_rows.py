"""Validate contract rows, including renewal links within the file or the database."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tenure.billing.models import Contract
from tenure.imports.bulk import rows_where_in
from tenure.imports.cells import Row
from tenure.imports.columns import Columns

log = logging.getLogger(__name__)

COLUMNS = Columns(
    required=(
        "contract_id",
        "customer_id",
        "start_date",
        "end_date",
        "amount",
        "currency",
    ),
    optional=(
        "renews_contract_id",
        "one_time_amount",
        "signed_date",
        "plan",
        "forecast_renewal_amount",
    ),
)


@dataclass(frozen=True)
class ContractRecord:
    """One validated contract row; both dates are inclusive."""

    number: int
    external_id: str
    customer: str
    currency: str
    start_date: dt.date
    end_date: dt.date
    amount_minor: int
    one_time_minor: int | None
    renews: str | None
    signed_date: dt.date | None
    plan: str | None
    forecast_renewal_minor: int | None


def parse(
    rows: Iterable[Row],
) -> tuple[list[ContractRecord], dict[str, Row], set[str]]:
    """Validate every row; return contracts, each renewal link's row, the file's ids."""
    seen: dict[str, int] = {}
    records: list[ContractRecord] = []
    links: dict[str, Row] = {}
    for row in rows:
        external_id = row.text("contract_id", required=True)
        customer = row.text("customer_id", required=True)
        start = row.date("start_date", required=True)
        end = row.date("end_date", required=True)
        if start is not None and end is not None and end < start:
            row.problem("end_date", "must not be before start_date (both inclusive)")
        currency = row.currency("currency")
        amount = row.money("amount", currency, required=True)
        one_time = row.money("one_time_amount", currency)
        forecast = row.money("forecast_renewal_amount", currency)
        renews = row.text("renews_contract_id")
        signed = row.date("signed_date")
        plan = row.text("plan")
        if external_id is None:
            continue
        if external_id in seen:
            row.problem("contract_id", f"repeats row {seen[external_id]}")
            continue
        seen[external_id] = row.number
        if renews == external_id:
            row.problem("renews_contract_id", "a contract cannot renew itself")
        elif renews is not None:
            links[external_id] = row
        if (
            customer is None
            or start is None
            or end is None
            or currency is None
            or amount is None
        ):
            continue
        records.append(
            ContractRecord(
                row.number,
                external_id,
                customer,
                currency,
                start,
                end,
                amount,
                one_time,
                renews,
                signed,
                plan,
                forecast,
            )
        )
    return records, links, set(seen)


def check_renewals(session: Session, links: dict[str, Row], file_ids: set[str]) -> None:
    """Report renewal links to unknown contracts and renewal chains that loop."""
    if not links:
        return
    renews = {key: row.values["renews_contract_id"] for key, row in links.items()}
    # Follow the stored links of contracts outside the file until every chain ends.
    stored: dict[str, str | None] = {}
    asked: set[str] = set()
    pending = set(renews.values()) - file_ids
    while pending:
        asked |= pending
        found = _stored_links(session, pending)
        stored.update(found)
        pending = {target for target in found.values() if target} - file_ids - asked
    for external_id, row in links.items():
        target = renews[external_id]
        if target not in file_ids and target not in stored:
            row.problem("renews_contract_id", "no contract has this contract_id")
        elif _loops(external_id, renews, stored, file_ids):
            row.problem(
                "renews_contract_id", "the renewal chain loops back to this contract"
            )


def _stored_links(session: Session, external_ids: set[str]) -> dict[str, str | None]:
    """Return the stored renewal target of each stored contract in ``external_ids``."""
    found = rows_where_in(
        session,
        (Contract.external_id, Contract.renews_contract_id),
        Contract.external_id,
        external_ids,
    )
    targets = {row.renews_contract_id for row in found if row.renews_contract_id}
    names = dict(
        rows_where_in(
            session, (Contract.id, Contract.external_id), Contract.id, targets
        )
    )
    return {row.external_id: names.get(row.renews_contract_id) for row in found}


def _loops(
    start: str,
    renews: dict[str, str],
    stored: dict[str, str | None],
    file_ids: set[str],
) -> bool:
    """Return True when following renewal links from ``start`` comes back to it."""
    seen = {start}
    current: str | None = start
    while current is not None:
        current = renews.get(current) if current in file_ids else stored.get(current)
        if current in seen:
            return current == start
        if current is not None:
            seen.add(current)
    return False
