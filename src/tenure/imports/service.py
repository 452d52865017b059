"""The import service: validate a whole file, then upsert it, or change nothing."""

from __future__ import annotations

import datetime as dt
import gc
import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tenure.accounts.models import Account, AccountOwnerHistory
from tenure.billing.models import (
    Contract,
    ContractLine,
    Plan,
    Subscription,
    SubscriptionItem,
    SubscriptionPause,
)
from tenure.fx.models import FxRate
from tenure.imports import (
    accounts,
    contract_rows,
    contracts,
    fx_rates,
    subscription_rows,
    subscriptions,
)
from tenure.imports.bulk import refresh_statistics
from tenure.imports.cells import Row, parse_currency
from tenure.imports.columns import Columns, Header, match_header, numbered_rows
from tenure.imports.lookups import today as configured_today
from tenure.imports.reading import read_table
from tenure.imports.results import (
    ImportFailed,
    ImportResult,
    Problem,
    UnknownKind,
)
from tenure.staff.models import StaffUser

log = logging.getLogger(__name__)

KINDS = ("accounts", "subscriptions", "contracts", "fx-rates")

# Tables each kind writes, and how many written records call for fresh statistics.
_TABLES: dict[str, tuple[type[Any], ...]] = {
    "accounts": (Account, AccountOwnerHistory, StaffUser),
    "subscriptions": (Account, Plan, Subscription, SubscriptionItem, SubscriptionPause),
    "contracts": (Account, Plan, Contract, ContractLine),
    "fx-rates": (FxRate,),
}
_ANALYZE_AFTER = 1_000

_COLUMNS: dict[str, Columns] = {
    "accounts": accounts.COLUMNS,
    "subscriptions": subscription_rows.COLUMNS,
    "contracts": contract_rows.COLUMNS,
    "fx-rates": fx_rates.COLUMNS,
}

__all__ = [
    "KINDS",
    "ImportFailed",
    "ImportResult",
    "Problem",
    "UnknownKind",
    "import_file",
    "import_rows",
    "read_table",
]


def _check_kind(kind: str) -> Columns:
    """Return the columns of ``kind`` or raise ``UnknownKind``."""
    try:
        return _COLUMNS[kind]
    except KeyError:
        raise UnknownKind(
            f"unknown import kind '{kind}'; expected one of {', '.join(KINDS)}"
        ) from None


def import_file(
    session: Session,
    kind: str,
    path: Path,
    *,
    default_currency: str,
    today: dt.date | None = None,
) -> ImportResult:
    """Import a CSV or XLSX file of ``kind``; see ``import_rows``."""
    columns = _check_kind(kind)
    path = Path(path)
    with _gc_paused():
        header, rows = read_table(path)
        return _import(
            session,
            kind,
            columns,
            header,
            rows,
            source=path.name,
            default_currency=default_currency,
            today=today,
        )


def import_rows(
    session: Session,
    kind: str,
    rows: Iterable[Mapping[str, str]],
    *,
    source: str,
    default_currency: str,
    today: dt.date | None = None,
) -> ImportResult:
    """Validate every row, then upsert all of them; raise ``ImportFailed`` otherwise.

    The header is the keys of the rows, in order of first appearance. Nothing is
    written when any row has a problem. The changes are flushed, not committed.
    """
    columns = _check_kind(kind)
    with _gc_paused():
        materialized = list(rows)
        if not materialized:
            return ImportResult(kind)
        header = list(dict.fromkeys(key for row in materialized for key in row))
        return _import(
            session,
            kind,
            columns,
            header,
            materialized,
            source=source,
            default_currency=default_currency,
            today=today,
        )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector, which slows bulk work on millions of objects.

    Reference counting still frees almost everything an import creates.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(
    session: Session,
    kind: str,
    columns: Columns,
    titles: list[str],
    raw_rows: list[Mapping[str, str]] | list[dict[str, str]],
    *,
    source: str,
    default_currency: str,
    today: dt.date | None,
) -> ImportResult:
    """Validate, then apply, an import of one kind."""
    try:
        currency = parse_currency(default_currency)
    except ValueError as exc:
        raise ValueError(f"default currency '{default_currency}' {exc}") from None
    header, problems = match_header(source, titles, columns)
    if problems:
        raise ImportFailed(problems)
    rows = numbered_rows(source, header, raw_rows, problems)
    # Make earlier changes of the caller visible to the bulk statements below.
    session.flush()
    result = _validate_and_apply(session, kind, header, rows, problems, currency, today)
    if kind != "accounts" and header.extra:
        result.notes.append(f"ignored unknown columns: {', '.join(header.extra)}")
    if result.created + result.updated >= _ANALYZE_AFTER:
        refresh_statistics(session, _TABLES[kind])
    session.flush()
    # Bulk statements bypass the identity map: reload anything the caller holds.
    session.expire_all()
    log.info(
        "imported %s from %s: %d created, %d updated, %d unchanged",
        kind,
        source,
        result.created,
        result.updated,
        result.unchanged,
    )
    return result


def _validate_and_apply(
    session: Session,
    kind: str,
    header: Header,
    rows: Iterator[Row],
    problems: list[Problem],
    currency: str,
    today: dt.date | None,
) -> ImportResult:
    """Validate every row of ``kind``; apply them only when no problem was found."""
    if kind == "accounts":
        account_rows = accounts.parse(rows, header)
        _stop_on(problems)
        result = accounts.apply(
            session, account_rows, today or configured_today(session)
        )
        if header.extra:
            result.notes.append(
                f"stored columns as custom attributes: {', '.join(header.extra)}"
            )
    elif kind == "subscriptions":
        records = subscription_rows.parse(rows, currency)
        _stop_on(problems)
        result = subscriptions.apply(session, records)
    elif kind == "contracts":
        contract_records, links, file_ids = contract_rows.parse(rows)
        contract_rows.check_renewals(session, links, file_ids)
        _stop_on(problems)
        result = contracts.apply(session, contract_records)
    else:
        rates = fx_rates.parse(rows)
        _stop_on(problems)
        result = fx_rates.apply(session, rates)
    return result


def _stop_on(problems: list[Problem]) -> None:
    """Raise ``ImportFailed`` with every problem found so far, if there is any."""
    if problems:
        raise ImportFailed(problems)
