"""The list and the 360 on a realistic demo company: SQL filters and bounded queries."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tenure.accounts.service import (
    AccountQuery,
    account_detail,
    filter_options,
    iter_accounts,
    list_accounts,
)
from tenure.db.session import transaction
from tenure.demo.generator import generate
from tenure.demo.loader import load
from tenure.revenue.service import rebuild
from tenure.staff.models import StaffUser

from .conftest import StatementCounter

ACCOUNTS = 60


@pytest.fixture
def demo(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """A small demo company (CNY reporting, Chinese and English names), rebuilt."""
    with transaction(factory) as session:
        load(session, generate(11, accounts=ACCOUNTS, today=dt.date.today()))
        rebuild(session)
    return factory


def _owner_ids(session: Session) -> dict[str, int]:
    return {
        email: id_
        for email, id_ in session.execute(select(StaffUser.email, StaffUser.id))
    }


def _matches(row: dict[str, Any], field: str, value: str) -> bool:
    if field == "tag":
        return value in row["tags"]
    if field == "search":
        needle = value.lower()
        return needle in row["account_id"].lower() or needle in row["name"].lower()
    return bool(row[field] == value)


def test_sql_filters_agree_with_the_rows(demo: sessionmaker[Session]) -> None:
    with demo() as session:
        everything = iter_accounts(session, AccountQuery(), None)
        assert len(everything) == ACCOUNTS
        assert {row["currency"] for row in everything} == {"CNY"}
        options = filter_options(session, None)
        chinese = next(row["name"] for row in everything if not row["name"].isascii())
        cases = [("search", chinese[1:3]), ("search", "ltd")]
        cases += [(field, values[0]) for field, values in options.items()]
        cases += [("status", status) for status in ("active", "churned", "prospect")]
        for field, value in cases:
            query = AccountQuery(**{field: value}, sort="mrr", descending=True)
            wanted = [row for row in everything if _matches(row, field, value)]
            page = list_accounts(session, query, None)
            assert page.total == len(wanted), (field, value)
            got = iter_accounts(session, query, None)
            assert sorted(r["account_id"] for r in got) == sorted(
                r["account_id"] for r in wanted
            )
            mrrs = [row["mrr"] for row in got]
            assert mrrs == sorted(mrrs, reverse=True)


def test_scope_of_each_owner_partitions_the_company(
    demo: sessionmaker[Session],
) -> None:
    with demo() as session:
        everything = iter_accounts(session, AccountQuery(), None)
        owners = _owner_ids(session)
        by_owner = Counter(row["owner"] for row in everything)
        seen: list[str] = []
        for email, count in by_owner.items():
            scope = frozenset({owners[email]})
            page = list_accounts(session, AccountQuery(page_size=1), scope)
            assert page.total == count
            rows = iter_accounts(session, AccountQuery(), scope)
            assert {row["owner"] for row in rows} == {email}
            assert filter_options(session, scope)["owner"] == [email]
            seen += [row["account_id"] for row in rows]
        assert sorted(seen) == sorted(row["account_id"] for row in everything)


def test_pages_add_up_to_the_whole_list(demo: sessionmaker[Session]) -> None:
    with demo() as session:
        for sort in ("name", "region", "customer_since"):
            query = AccountQuery(sort=sort, descending=True, page_size=7)
            whole = [row["account_id"] for row in iter_accounts(session, query, None)]
            paged: list[str] = []
            for number in range(1, 10):
                page = list_accounts(
                    session, AccountQuery(sort=sort, descending=True, page=number,
                                          page_size=7), None
                )  # fmt: skip
                assert page.total == ACCOUNTS
                paged += [row["account_id"] for row in page.rows]
            assert paged == whole


def test_list_issues_a_bounded_number_of_statements(
    demo: sessionmaker[Session], statements: StatementCounter
) -> None:
    with demo() as session:
        scope = frozenset(_owner_ids(session).values())
        counts = []
        for size in (1, 10, ACCOUNTS):
            query = AccountQuery(page_size=size, sort="owner", search="a")
            with statements.counting() as sent:
                page = list_accounts(session, query, scope)
            assert page.total > 10
            assert len(page.rows) == min(size, page.total)
            counts.append(len(sent))
        assert counts[0] == counts[1] == counts[2]
        # The page and the count, plus the settings and fact state for the currency.
        assert counts[0] <= 4
        with statements.counting() as sent:
            rows = iter_accounts(session, AccountQuery(), None)
        assert len(rows) == ACCOUNTS
        assert len(sent) <= 3
        with statements.counting() as sent:
            filter_options(session, None)
        assert len(sent) == 6


def test_detail_issues_a_bounded_number_of_statements(
    demo: sessionmaker[Session], statements: StatementCounter
) -> None:
    with demo() as session:
        ids = [
            row["account_id"] for row in iter_accounts(session, AccountQuery(), None)
        ]
        counts = []
        sizes = []
        for account_id in ids:
            with statements.counting() as sent:
                detail = account_detail(session, account_id, None)
            counts.append(len(sent))
            sizes.append(
                len(detail["subscriptions"]) + len(detail["contracts"])
                + len(detail["movements"]) + len(detail["mrr_history"])
            )  # fmt: skip
        assert max(sizes) > 10
        # Profile, owner history, billing with plans, facts and contacts: no
        # statement per subscription, contract or month.
        assert max(counts) <= 16
