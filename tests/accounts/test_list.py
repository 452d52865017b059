"""The customer list: filters, search, sort, paging, scope and query errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tenure.accounts.service import (
    SORT_FIELDS,
    STATUSES,
    AccountPage,
    AccountQuery,
    QueryError,
    filter_options,
    iter_accounts,
    list_accounts,
)

from .conftest import ALICE, BOB, CAROL, Company

ALL = ("A1", "A2", "A3", "A4", "A5", "A6")
# Names: Acme, Beta, Delta, Echo, Gamma, 北京 (CJK sorts after Latin).
BY_NAME = ("A1", "A3", "A4", "A5", "A6", "A2")


def ids(rows: list[dict[str, Any]]) -> list[str]:
    """The account ids of ``rows``, in order."""
    return [row["account_id"] for row in rows]


def listed(
    session: Session, owners: frozenset[int] | None = None, **query: Any
) -> list[str]:
    """The account ids of the first page (up to 500) of a query."""
    page = list_accounts(session, AccountQuery(page_size=500, **query), owners)
    assert page.total == len(page.rows)
    return ids(page.rows)


def test_default_list_is_every_account_by_name(session: Session) -> None:
    page = list_accounts(session, AccountQuery(), None)
    assert isinstance(page, AccountPage)
    assert (page.total, page.page, page.page_size) == (6, 1, 50)
    assert ids(page.rows) == list(BY_NAME)


def test_row_fields(session: Session, company: Company) -> None:
    rows = {
        row["account_id"]: row for row in iter_accounts(session, AccountQuery(), None)
    }
    assert rows["A1"] == {
        "account_id": "A1",
        "name": "Acme Retail",
        "industry": "Retail",
        "region": "East",
        "size": "SMB",
        "tier": "Key",
        "tags": ["vip", "api"],
        "owner": ALICE,
        "owner_name": "Alice Archer",
        "plan": "basic-monthly",
        "mrr": Decimal("400.00"),
        "arr": Decimal("4800.00"),
        "currency": "USD",
        "status": "active",
        "customer_since": company.month(-14),
    }
    assert rows["A5"] == {
        "account_id": "A5",
        "name": "Echo Prospect",
        "industry": None,
        "region": None,
        "size": None,
        "tier": None,
        "tags": [],
        "owner": None,
        "owner_name": None,
        "plan": None,
        "mrr": Decimal("0.00"),
        "arr": Decimal("0.00"),
        "currency": "USD",
        "status": "prospect",
        "customer_since": None,
    }
    assert {key: (row["status"], row["mrr"]) for key, row in rows.items()} == {
        "A1": ("active", Decimal("400.00")),
        "A2": ("active", Decimal("700.00")),
        "A3": ("active", Decimal("100.00")),
        "A4": ("churned", Decimal("0.00")),
        "A5": ("prospect", Decimal("0.00")),
        "A6": ("active", Decimal("50.00")),
    }
    assert rows["A2"]["customer_since"] == company.month(-8)
    assert rows["A4"]["plan"] == "basic-monthly"
    assert all(
        isinstance(row["customer_since"], dt.date | None) for row in rows.values()
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"industry": "Retail"}, ["A1"]),
        ({"industry": "Nothing"}, []),
        ({"region": "East"}, ["A1", "A4"]),
        ({"tier": "Strategic"}, ["A2"]),
        ({"owner": BOB}, ["A3", "A4"]),
        ({"owner": "ALICE@Example.com"}, ["A1", "A2"]),
        ({"plan": "basic-monthly"}, ["A1", "A4"]),
        ({"plan": "pro-annual"}, ["A3"]),
        ({"status": "active"}, ["A1", "A3", "A6", "A2"]),
        ({"status": "churned"}, ["A4"]),
        ({"status": "prospect"}, ["A5"]),
        ({"tag": "vip"}, ["A1", "A2"]),
        ({"tag": "api"}, ["A1", "A3"]),
        ({"tag": "重点客户"}, ["A2"]),
        ({"tag": "重点"}, []),
        ({"tag": "50%_off"}, ["A6"]),
        ({"tag": "%"}, []),
        ({"tag": "vi_"}, []),
        ({"region": "East", "status": "churned"}, ["A4"]),
        ({"tag": "vip", "owner": ALICE, "tier": "Key"}, ["A1"]),
        ({"industry": "", "region": "  ", "tag": ""}, list(BY_NAME)),
    ],
)
def test_filters(session: Session, query: dict[str, Any], expected: list[str]) -> None:
    assert listed(session, **query) == expected


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("北京", ["A2"]),
        ("云科技", ["A2"]),
        ("acme", ["A1"]),
        ("ACME RET", ["A1"]),
        ("a1", ["A1"]),
        ("a", list(ALL)),
        ("_100%", ["A6"]),
        ("%", ["A6"]),
        ("_", ["A6"]),
        ("zzz", []),
        ("  beta  ", ["A3"]),
    ],
)
def test_search(session: Session, search: str, expected: list[str]) -> None:
    assert sorted(listed(session, search=search)) == sorted(expected)


def reference_order(
    rows: list[dict[str, Any]], field: str, descending: bool
) -> list[str]:
    """Sort rows by ``field`` with None last, ties by account id ascending."""
    by_id = sorted(rows, key=lambda row: row["account_id"])
    present = [row for row in by_id if row[field] is not None]
    absent = [row for row in by_id if row[field] is None]
    present.sort(key=lambda row: row[field], reverse=descending)
    return ids(present + absent)


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("field", SORT_FIELDS)
def test_sort_by_every_field(session: Session, field: str, descending: bool) -> None:
    rows = iter_accounts(session, AccountQuery(), None)
    key = "account_id" if field == "account_id" else field
    expected = reference_order(rows, key, descending)
    assert listed(session, sort=field, descending=descending) == expected
    query = AccountQuery(sort=field, descending=descending)
    assert ids(iter_accounts(session, query, None)) == expected


def test_sort_puts_nulls_last_both_ways_and_breaks_ties_by_id(session: Session) -> None:
    assert listed(session, sort="tier") == ["A6", "A1", "A4", "A2", "A3", "A5"]
    assert listed(session, sort="tier", descending=True) == [
        "A2", "A4", "A1", "A6", "A3", "A5",
    ]  # fmt: skip
    assert listed(session, sort="mrr") == ["A4", "A5", "A6", "A3", "A1", "A2"]
    assert listed(session, sort="mrr", descending=True) == [
        "A2", "A1", "A3", "A6", "A4", "A5",
    ]  # fmt: skip
    assert listed(session, sort="owner")[-1] == "A5"
    assert listed(session, sort="owner", descending=True) == [
        "A6", "A3", "A4", "A1", "A2", "A5",
    ]  # fmt: skip
    assert listed(session, sort="customer_since", descending=True)[-1] == "A5"
    assert listed(session, sort="status") == ["A1", "A2", "A3", "A6", "A4", "A5"]


def test_paging(session: Session) -> None:
    everything = ids(iter_accounts(session, AccountQuery(sort="mrr"), None))
    pages = [
        list_accounts(session, AccountQuery(sort="mrr", page=n, page_size=4), None)
        for n in (1, 2, 3)
    ]
    assert [page.total for page in pages] == [6, 6, 6]
    assert [len(page.rows) for page in pages] == [4, 2, 0]
    assert [page.page for page in pages] == [1, 2, 3]
    assert ids(pages[0].rows) + ids(pages[1].rows) == everything
    one = list_accounts(
        session, AccountQuery(status="active", page_size=1, page=3), None
    )
    assert (one.total, ids(one.rows)) == (4, ["A6"])
    largest = list_accounts(session, AccountQuery(page_size=500), None)
    assert largest.page_size == 500


def test_scope_limits_list_count_and_options(
    session: Session, company: Company
) -> None:
    team = company.team
    assert listed(session, team) == ["A1", "A3", "A4", "A2"]
    assert listed(session, frozenset({company.alice})) == ["A1", "A2"]
    assert listed(session, frozenset({company.carol})) == ["A6"]
    assert listed(session, frozenset()) == []
    # Outside the scope, an account matches no filter and no search.
    assert listed(session, team, search="Gamma") == []
    assert listed(session, team, owner=CAROL) == []
    assert listed(session, team, tag="50%_off") == []
    assert listed(session, team, plan="hidden-plan") == []
    page = list_accounts(session, AccountQuery(status="active", page_size=1), team)
    assert page.total == 3
    assert ids(iter_accounts(session, AccountQuery(sort="mrr"), team)) == [
        "A4", "A3", "A1", "A2",
    ]  # fmt: skip


def test_filter_options(session: Session, company: Company) -> None:
    assert filter_options(session, company.team) == {
        "industry": ["Education", "Healthcare", "Internet", "Retail"],
        "region": ["East", "North", "West"],
        "tier": ["Key", "Standard", "Strategic"],
        "owner": [ALICE, BOB],
        "plan": ["basic-monthly", "pro-annual", "pro-monthly"],
        "tag": ["api", "vip", "重点客户"],
    }
    everything = filter_options(session, None)
    assert everything["industry"] == [
        "Education", "Healthcare", "Internet", "Retail", "Secret",
    ]  # fmt: skip
    assert everything["tier"] == ["Hidden tier", "Key", "Standard", "Strategic"]
    assert everything["owner"] == [ALICE, BOB, CAROL]
    assert everything["plan"] == [
        "basic-monthly", "hidden-plan", "pro-annual", "pro-monthly",
    ]  # fmt: skip
    assert everything["tag"] == ["50%_off", "api", "vip", "重点客户"]
    assert filter_options(session, frozenset({company.carol})) == {
        "industry": ["Secret"],
        "region": ["Hidden"],
        "tier": ["Hidden tier"],
        "owner": [CAROL],
        "plan": ["hidden-plan"],
        "tag": ["50%_off"],
    }
    assert filter_options(session, frozenset()) == {
        key: [] for key in ("industry", "region", "tier", "owner", "plan", "tag")
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (AccountQuery(sort="revenue"), "sort field 'revenue' is unknown"),
        (AccountQuery(sort=""), "sort field '' is unknown"),
        (AccountQuery(status="lost"), "status 'lost' is unknown"),
        (AccountQuery(page=0), "page 0 is invalid"),
        (AccountQuery(page=-3), "page -3 is invalid"),
        (AccountQuery(page_size=0), "page_size 0 is out of range"),
        (AccountQuery(page_size=501), "page_size 501 is out of range"),
        (AccountQuery(page="2"), "page '2' is not a whole number"),  # type: ignore[arg-type]
    ],
)
def test_query_errors_name_field_and_value(
    session: Session, query: AccountQuery, message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        list_accounts(session, query, None)
    with pytest.raises(QueryError, match=message):
        iter_accounts(session, query, None)


def test_query_error_lists_the_choices(session: Session) -> None:
    with pytest.raises(QueryError) as raised:
        list_accounts(session, AccountQuery(status="lost"), None)
    assert ", ".join(STATUSES) in str(raised.value)
    with pytest.raises(QueryError) as raised:
        list_accounts(session, AccountQuery(sort="x"), None)
    assert ", ".join(SORT_FIELDS) in str(raised.value)
    assert issubclass(QueryError, ValueError)
