"""Migration 0002 keeps existing staff, accounts and teams, up and down."""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text

from tenure.db import migrate
from tenure.db.session import make_engine


def _run(url: str, *statements: str) -> list[tuple[object, ...]]:
    """Run ``statements`` in one transaction; return the last one's rows."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            rows: list[tuple[object, ...]] = []
            for statement in statements:
                result = connection.execute(text(statement))
                rows = [tuple(row) for row in result] if result.returns_rows else []
            return rows
    finally:
        engine.dispose()


def _columns(connection: Connection, table: str) -> set[str]:
    """Return the column names of ``table``."""
    return {column["name"] for column in inspect(connection).get_columns(table)}


def test_existing_rows_survive_upgrade_and_downgrade(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url, "0001")
    stamp = "'2026-01-01 00:00:00+00:00'"
    _run(
        empty_db_url,
        f"INSERT INTO team (id, name, created_at, updated_at)"
        f" VALUES (1, 'North', {stamp}, {stamp})",
        "INSERT INTO staff_user (id, email, name, role, team_id, is_active,"
        f" created_at, updated_at) VALUES (1, 'mia@example.com', 'Mia', 'manager', 1,"
        f" true, {stamp}, {stamp})",
        "UPDATE team SET manager_id = 1",
        "INSERT INTO account (id, external_id, name, tags, owner_id,"
        " custom_attributes, created_at, updated_at)"
        f" VALUES (1, 'A1', 'Acme', '[]', 1, '{{}}', {stamp}, {stamp})",
    )

    migrate.upgrade(empty_db_url)
    assert _run(empty_db_url, "SELECT failed_logins FROM staff_user") == [(0,)]

    migrate.downgrade(empty_db_url, "0001")
    assert _run(empty_db_url, "SELECT owner_id FROM account") == [(1,)]
    assert _run(empty_db_url, "SELECT manager_id FROM team") == [(1,)]
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            assert "failed_logins" not in _columns(connection, "staff_user")
            assert not {"auth_session", "api_key"} & set(
                inspect(connection).get_table_names()
            )
    finally:
        engine.dispose()
