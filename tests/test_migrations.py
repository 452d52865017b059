"""The migrations build exactly the models' schema; the database fixtures reset it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from tenure.db import migrate
from tenure.db.models import Account, Base, Contact, StaffUser, Team
from tenure.db.session import make_engine

MODEL_TABLES = set(Base.metadata.tables)


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_db_url: str) -> None:
    """A fresh database goes to head, back to base, and to head again."""
    assert migrate.current(empty_db_url) is None

    migrate.upgrade(empty_db_url)
    assert migrate.current(empty_db_url) == migrate.head()
    assert _tables(empty_db_url) == MODEL_TABLES | {"alembic_version"}
    assert migrate.differences(empty_db_url) == []

    migrate.downgrade(empty_db_url, "base")
    assert migrate.current(empty_db_url) is None
    assert _tables(empty_db_url) == {"alembic_version"}

    migrate.upgrade(empty_db_url)
    assert migrate.current(empty_db_url) == migrate.head()
    assert _tables(empty_db_url) == MODEL_TABLES | {"alembic_version"}


def test_upgrade_on_a_connection_passed_in(empty_db_url: str) -> None:
    """env.py migrates on the caller's connection, inside the caller's transaction."""
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            config = migrate.alembic_config(empty_db_url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            assert "account" in inspect(connection).get_table_names()
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
    assert migrate.current(empty_db_url) == migrate.head()


def test_migrated_schema_matches_models(db_url: str) -> None:
    """The suite's migrated database has no difference from the models."""
    assert migrate.current(db_url) == migrate.head()
    assert migrate.differences(db_url) == []


def test_team_manager_foreign_key_exists(db_engine: Engine) -> None:
    """The cyclic team.manager_id -> staff_user.id key is created after both tables."""
    with db_engine.connect() as connection:
        keys = inspect(connection).get_foreign_keys("team")
    assert [(k["constrained_columns"], k["referred_table"]) for k in keys] == [
        (["manager_id"], "staff_user")
    ]


def test_differences_sees_a_missing_index(tmp_path: Path) -> None:
    """The schema comparison is not vacuous: a dropped index is reported."""
    url = f"sqlite:///{(tmp_path / 'drift.sqlite').as_posix()}"
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP INDEX ix_account_tier"))
    finally:
        engine.dispose()
    diffs = migrate.differences(url)
    assert [diff[0] for diff in diffs] == ["add_index"]


def test_revision_files_are_dated_and_numbered() -> None:
    """Every revision file is named YYYY_MM_DD_NNNN_slug.py after its revision id."""
    versions = Path(migrate.MIGRATIONS_DIR, "versions")
    names = sorted(p.name for p in versions.glob("*.py"))
    assert names, "no migrations shipped"
    for name in names:
        year, month, day, rev, _slug = name.removesuffix(".py").split("_", 4)
        assert len(year) == 4 and len(month) == 2 and len(day) == 2, name
        assert rev.isdigit() and len(rev) == 4, name
    assert migrate.next_revision_id() == f"{len(names) + 1:04d}"


def test_factory_accepts_rows_in_every_kind_of_relation(
    factory: sessionmaker[Session],
) -> None:
    """Rows linked in a cycle (team <-> manager) are written; teardown removes them."""
    with factory() as session, session.begin():
        team = Team(name="EMEA")
        session.add(team)
        session.flush()
        manager = StaffUser(email="m@example.com", name="M", team_id=team.id)
        session.add(manager)
        session.flush()
        team.manager_id = manager.id
        account = Account(external_id="A1", name="Acme", owner_id=manager.id)
        session.add(account)
        session.flush()
        session.add(Contact(account_id=account.id, name="Ann"))
        stamp = account.created_at
    assert stamp.tzinfo is not None
    assert stamp <= dt.datetime.now(dt.UTC)


def test_factory_starts_with_empty_tables(factory: sessionmaker[Session]) -> None:
    """Every test starts with empty tables, whatever the previous test wrote."""
    with factory() as session:
        for table in Base.metadata.sorted_tables:
            count = session.scalar(select(func.count()).select_from(table))
            assert count == 0, table.name
