"""Tests of the demo loader: the generated company lands in a SQLite database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tenure.db.models import (
    Account,
    Base,
    Contract,
    ContractLine,
    FxRate,
    StaffUser,
    Subscription,
    SubscriptionItem,
    Team,
)
from tenure.db.session import make_engine, make_session_factory
from tenure.demo.generator import DemoData, generate
from tenure.demo.loader import DemoLoadError, load
from tenure.imports.service import ImportFailed
from tenure.settings.service import get

TODAY = dt.date(2025, 6, 15)


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A session factory over a fresh SQLite file with every table."""
    engine = make_engine(f"sqlite:///{(tmp_path / 'demo.sqlite').as_posix()}")
    Base.metadata.create_all(engine)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


def count(session: Session, model: type[Base]) -> int:
    """Return the number of rows of ``model``."""
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_load_creates_everything_once(factory: sessionmaker[Session]) -> None:
    data = generate(42, today=TODAY)
    with factory() as session:
        load(session, data)
        session.commit()
    with factory() as session:
        assert count(session, Account) == len(data.accounts)
        assert count(session, StaffUser) == len(data.staff)
        assert count(session, Team) == len(data.teams) == 5
        subscription_ids = {row["subscription_id"] for row in data.subscriptions}
        assert count(session, Subscription) == len(subscription_ids)
        assert count(session, SubscriptionItem) == len(data.subscriptions)
        assert count(session, Contract) == len(data.contracts)
        fees = sum(1 for row in data.contracts if row["one_time_amount"])
        assert count(session, ContractLine) == len(data.contracts) + fees
        renewals = sum(1 for row in data.contracts if row["renews_contract_id"])
        linked = select(func.count()).where(Contract.renews_contract_id.is_not(None))
        assert session.scalar(linked) == renewals
        assert count(session, FxRate) == len(data.fx_rates)
        assert get(session, "reporting_currency") == "CNY"
        assert get(session, "timezone") == "Asia/Shanghai"
        for team in session.scalars(select(Team)):
            manager = session.get(StaffUser, team.manager_id)
            assert manager is not None
            assert (manager.role, manager.team_id) == ("manager", team.id)
        users = list(session.scalars(select(StaffUser)))
        assert all(user.password_hash is None and user.is_active for user in users)
        accounts = list(session.scalars(select(Account)))
        assert all(account.owner_id is not None for account in accounts)
        assert all("employees" in account.custom_attributes for account in accounts)


def test_load_refuses_to_run_twice(factory: sessionmaker[Session]) -> None:
    data = generate(5, 20, TODAY)
    with factory() as session:
        load(session, data)
        session.commit()
    with factory() as session, pytest.raises(DemoLoadError):
        load(session, data)


def test_a_bad_row_fails_the_load(factory: sessionmaker[Session]) -> None:
    data: DemoData = generate(5, 20, TODAY)
    data.subscriptions[0] = {**data.subscriptions[0], "end_date": "2000-01-01"}
    with factory() as session, pytest.raises(ImportFailed) as failed:
        load(session, data)
    assert failed.value.problems[0].column == "end_date"
