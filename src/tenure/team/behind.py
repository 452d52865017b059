"""The accounts behind one person's figure: the team page's drill-down.

Each row is one account's part in the figure (``account_id``, ``external_id``,
``name``, ``amount``, ``date``, ``detail``); their amounts add up to the figure
(their count, for counts). Figures:

- a movement kind (new, expansion, reactivation, contraction, churn, fx): the
  movements attributed to the person; detail: the kind;
- transfers_in / transfers_out: the accounts that came or went with their MRR on
  the change day; detail: the owner on the other side (None: nobody);
- opening_mrr / mrr: the accounts in the book at the start / the end;
- nrr: the base accounts, amount the MRR kept while held, ``opening`` their
  opening MRR (sum of amounts / sum of openings = NRR);
- renewals_due / renewals_renewed / renewals_churned / renewals_open: the terms
  due in the period (renewed: the renewed amount; otherwise the amount due);
- tasks_completed / tasks_overdue: the person's tasks; detail: the title;
- band:NAME, size:NAME, tier:NAME: accounts of the current book in that health
  band, or paying accounts of that type/size or tier; amount: today's MRR.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.auth.scope import Forbidden, Principal
from tenure.revenue.models import AccountRevenue
from tenure.revenue.renewals import CHURNED, OPEN, WON
from tenure.revenue.reports import NONE_LABEL, money
from tenure.revenue.service import fact_currency
from tenure.tasks.models import OPEN_STATUSES, Task
from tenure.team import books, reads
from tenure.team.attribution import (
    CLOSING,
    OPENING,
    TRANSFER_IN,
    TRANSFER_OUT,
    Entry,
    owner_entries,
    renewal_owner,
)
from tenure.team.figures import Row
from tenure.team.performance import check_span, local_today
from tenure.team.reads import TeamError, View

log = logging.getLogger(__name__)

MOVEMENTS = ("new", "expansion", "reactivation", "contraction", "churn", "fx")
BALANCES = {"opening_mrr": OPENING, "mrr": CLOSING}
TRANSFERS = {"transfers_in": TRANSFER_IN, "transfers_out": TRANSFER_OUT}
RENEWALS = ("renewals_due", "renewals_renewed", "renewals_churned", "renewals_open")
TASKS = ("tasks_completed", "tasks_overdue")
PREFIXES = ("band", "size", "tier")
FIGURES = (*MOVEMENTS, *BALANCES, *TRANSFERS, "nrr", *RENEWALS, *TASKS)


def behind(
    session: Session,
    principal: Principal,
    owner_id: int | None,
    figure: str,
    start: dt.date,
    end: dt.date,
) -> list[Row]:
    """The accounts behind ``figure`` of ``owner_id`` (None: nobody's accounts).

    Raises Forbidden for an owner outside the caller's view, TeamError for an
    unknown owner or figure, or a bad span.
    """
    check_span(start, end)
    prefix, _, value = figure.partition(":")
    if figure not in FIGURES and not (prefix in PREFIXES and value):
        choices = ", ".join((*FIGURES, *(f"{p}:NAME" for p in PREFIXES)))
        raise TeamError(f"figure '{figure}' is not one of {choices}")
    view = reads.view_for(session, principal, None)
    staff = reads.directory(session)
    if owner_id is not None and owner_id not in staff.people:
        raise TeamError(f"owner {owner_id}: no such staff user")
    if not view.shows(owner_id):
        raise Forbidden(f"owner {owner_id} is outside your scope")
    reading = View(None) if owner_id is None else View(frozenset({owner_id}))
    currency = fact_currency(session)
    if figure in RENEWALS:
        rows = _renewals(session, reading, owner_id, figure, start, end)
    elif figure in TASKS:
        rows = _tasks(session, owner_id, figure, start, end)
    elif prefix in PREFIXES and value:
        rows = _book(session, reading, owner_id, prefix, value)
    else:
        rows = _revenue(session, reading, owner_id, figure, start, end, staff)
    return _named(session, rows, currency)


def _named(session: Session, rows: list[Row], currency: str) -> list[Row]:
    """Add each account's external id and name; amounts into major units."""
    names = books.account_names(session, [row["account_id"] for row in rows])
    result = []
    for row in rows:
        external, name = names.get(row["account_id"], ("", ""))
        out = {
            "account_id": row["account_id"],
            "external_id": external,
            "name": name,
            "amount": money(row["amount"], currency),
            "date": row["date"],
            "detail": row["detail"],
        }
        if "opening" in row:
            out["opening"] = money(row["opening"], currency)
        result.append(out)
    return result


def _revenue(
    session: Session,
    reading: View,
    owner_id: int | None,
    figure: str,
    start: dt.date,
    end: dt.date,
    staff: reads.Directory,
) -> list[Row]:
    last = min(end, local_today(session))
    _rows, entries = owner_entries(
        reads.moves(session, reading, start, last),
        reads.timeline(session, reading),
        start,
        end,
        lambda owner: owner == owner_id,
        opening=reads.opening(session, reading, start),
    )
    if figure == "nrr":
        return _retained(entries)
    kind = BALANCES.get(figure) or TRANSFERS.get(figure) or figure
    rows: list[Row] = []
    for entry in entries:
        if entry.kind != kind:
            continue
        detail: Any = entry.kind
        if kind in (TRANSFER_IN, TRANSFER_OUT):
            other = staff.people.get(entry.other) if entry.other is not None else None
            detail = other.name if other is not None else None
        elif kind in (OPENING, CLOSING):
            detail = "customer" if entry.customer else None
        rows.append(
            {"account_id": entry.account, "amount": entry.amount,
             "date": entry.day, "detail": detail}
        )  # fmt: skip
    rows.sort(key=lambda row: (row["date"], -abs(row["amount"])))
    return rows


def _retained(entries: list[Entry]) -> list[Row]:
    """Each base account: its opening MRR and what it kept while held."""
    opening = {e.account: e.amount for e in entries if e.kind == OPENING and e.base}
    kept: dict[int, int] = defaultdict(int)
    for entry in entries:
        if entry.base and entry.kind not in (OPENING, CLOSING, "new", "fx"):
            kept[entry.account] += entry.amount
    ordered = sorted(opening.items(), key=lambda item: kept[item[0]])
    return [
        {"account_id": account, "amount": mrr + kept[account], "opening": mrr,
         "date": None, "detail": None}
        for account, mrr in ordered
    ]  # fmt: skip


def _renewals(
    session: Session,
    reading: View,
    owner_id: int | None,
    figure: str,
    start: dt.date,
    end: dt.date,
) -> list[Row]:
    timeline = reads.timeline(session, reading)
    today = local_today(session)
    keep = {
        "renewals_due": lambda outcome: True,
        "renewals_renewed": lambda outcome: outcome in WON,
        "renewals_churned": lambda outcome: outcome == CHURNED,
        "renewals_open": lambda outcome: outcome == OPEN,
    }[figure]
    rows: list[Row] = []
    for term in reads.terms(session, reading, start, end):
        owner = renewal_owner(timeline, term.account, term.due_date, today)
        if owner != owner_id or not keep(term.outcome):
            continue
        amount = term.renewed if figure == "renewals_renewed" else term.due
        rows.append(
            {"account_id": term.account, "amount": amount,
             "date": term.due_date, "detail": term.outcome}
        )  # fmt: skip
    rows.sort(key=lambda row: (row["date"], -row["amount"]))
    return rows


def _tasks(
    session: Session, owner_id: int | None, figure: str, start: dt.date, end: dt.date
) -> list[Row]:
    today = local_today(session)
    begin, finish = books.day_bounds(session, start, end)
    if figure == "tasks_completed":
        which = and_(
            Task.status == "done",
            Task.completed_at >= begin,
            Task.completed_at < finish,
        )
    else:
        which = and_(Task.status.in_(OPEN_STATUSES), Task.due_on < today)
    query = (
        select(Task.account_id, Task.title, Task.due_on, Task.completed_at)
        .where(which, Task.assignee_id.is_(None) if owner_id is None
               else Task.assignee_id == owner_id)
        .order_by(Task.due_on, Task.id)
    )  # fmt: skip
    return [
        {"account_id": account, "amount": None,
         "date": completed.date() if completed is not None else due, "detail": title}
        for account, title, due, completed in session.execute(query)
    ]  # fmt: skip


def _book(
    session: Session, reading: View, owner_id: int | None, prefix: str, value: str
) -> list[Row]:
    mrr = {
        row[0]: row[1]
        for row in session.execute(
            select(AccountRevenue.account_id, AccountRevenue.mrr_minor)
            .join(Account, Account.id == AccountRevenue.account_id)
            .where(_owned_by(owner_id))
        )
    }
    if prefix == "band":
        rows = [
            {"account_id": account, "amount": mrr.get(account, 0), "date": as_of,
             "detail": band}
            for account, owner, band, as_of in session.execute(
                books.latest_bands(session, reading)
            )
            if band == value and owner == owner_id
        ]  # fmt: skip
    else:
        column = Account.size if prefix == "size" else Account.tier
        match = column.is_(None) if value == NONE_LABEL else column == value
        query = (
            select(Account.id, column)
            .join(AccountRevenue, AccountRevenue.account_id == Account.id)
            .where(_owned_by(owner_id), AccountRevenue.active.is_(True), match)
        )
        rows = [
            {"account_id": account, "amount": mrr.get(account, 0), "date": None,
             "detail": found or NONE_LABEL}
            for account, found in session.execute(query)
        ]  # fmt: skip
    rows.sort(key=lambda row: -row["amount"])
    return rows


def _owned_by(owner_id: int | None) -> Any:
    if owner_id is None:
        return Account.owner_id.is_(None)
    return Account.owner_id == owner_id
