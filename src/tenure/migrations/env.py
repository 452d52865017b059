"""Alembic environment: migrates Tenure's database, online or as SQL text."""

from __future__ import annotations

import logging

from alembic import context
from sqlalchemy.engine import Connection

from tenure.db.migrate import context_options, defer_cyclic_foreign_keys
from tenure.db.models import Base
from tenure.db.session import make_engine

log = logging.getLogger(__name__)

config = context.config
target_metadata = Base.metadata


def run_offline() -> None:
    """Write the migrations as SQL text instead of running them."""
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("sqlalchemy.url is not configured")
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **context_options(dialect),
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    # SQLite batch operations rebuild a table by dropping the old one; with foreign
    # keys enforced that drop would cascade into (or null out) the rows that refer
    # to it. The pragma only takes effect outside a transaction, so a caller who
    # passes a connection inside a transaction must switch it off beforehand.
    toggle = sqlite and not connection.in_transaction()
    if toggle:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            process_revision_directives=defer_cyclic_foreign_keys,
            **context_options(connection.dialect.name),
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
    finally:
        if toggle:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def run_online() -> None:
    """Run the migrations on the caller's connection, or on a new engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("sqlalchemy.url is not configured")
    engine = make_engine(url)
    try:
        with engine.connect() as new_connection:
            _run_on(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
