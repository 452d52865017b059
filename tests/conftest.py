"""Database fixtures for the whole suite: SQLite and PostgreSQL, migrated once each.

PostgreSQL comes from, in order: ``TENURE_TEST_PG_URL``; a server on 127.0.0.1:5432
(user postgres, trust auth, database ``test``); a throwaway server started for this
run from Debian's binaries. ``TENURE_TEST_PG_FORCE_PRIVATE=1`` skips straight to the
throwaway server. Inside whichever server, the suite works in a database of its own
that it drops at the end. Without PostgreSQL its tests are skipped, except under
``CI=true`` where that is an error.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from glob import glob
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo
from pytest_postgresql import factories
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, close_all_sessions, sessionmaker

from tenure.db import migrate
from tenure.db.session import delete_all_rows, make_engine, make_session_factory

log = logging.getLogger(__name__)

BACKENDS = ("sqlite", "postgresql")
LOCAL_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SUITE_DB_PREFIX = f"tenure_test_{os.getpid()}"
_fresh_numbers = itertools.count(1)


def _in_ci() -> bool:
    """Tell whether the suite runs under CI, where nothing may be skipped silently."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _find_pg_bindir() -> Path | None:
    """Return the folder of the newest PostgreSQL server binaries, if any."""
    debian = glob("/usr/lib/postgresql/*/bin/pg_ctl")
    if debian:

        def version(path: str) -> tuple[int, ...]:
            number = Path(path).parent.parent.name
            return tuple(int(part) for part in re.findall(r"\d+", number))

        return Path(max(debian, key=version)).parent
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl and (Path(pg_ctl).resolve().parent / "initdb").exists():
        return Path(pg_ctl).resolve().parent
    return None


PG_BINDIR = _find_pg_bindir()
# A throwaway server need not survive a crash: skip the disk flushes.
FAST_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"

# Used when the suite is not run as root; PostgreSQL refuses to run as root.
tenure_postgresql_proc = factories.postgresql_proc(
    executable=str(PG_BINDIR / "pg_ctl") if PG_BINDIR else None,
    host="127.0.0.1",
    port=None,
    user="postgres",
    dbname="tenure_proc",
    postgres_options=FAST_OPTIONS,
)


def _admin_connection(url: str) -> psycopg.Connection[tuple[object, ...]]:
    """Open an autocommit psycopg connection to the database named in ``url``."""
    parsed = make_url(url)
    params: dict[str, str | int | None] = {
        "host": parsed.host,
        "port": parsed.port,
        "user": parsed.username,
        "password": parsed.password,
        "dbname": parsed.database,
        "connect_timeout": 5,
        **{key: str(value) for key, value in parsed.query.items()},
    }
    given = {key: value for key, value in params.items() if value is not None}
    return psycopg.connect(make_conninfo("", **given), autocommit=True)


def _answers(url: str) -> bool:
    """Tell whether a PostgreSQL server accepts a connection to ``url``."""
    try:
        with _admin_connection(url) as connection:
            connection.execute("SELECT 1")
    except psycopg.OperationalError:
        return False
    return True


def _with_database(url: str, name: str) -> str:
    """Return ``url`` pointing at database ``name`` through psycopg 3."""
    parsed = make_url(url).set(drivername="postgresql+psycopg", database=name)
    return parsed.render_as_string(hide_password=False)


def _create_database(server_url: str, name: str) -> str:
    """Create an empty database ``name`` (dropping a stale one) and return its URL."""
    _drop_database(server_url, name)
    with _admin_connection(server_url) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return _with_database(server_url, name)


def _drop_database(server_url: str, name: str) -> None:
    """Drop database ``name`` if it exists, ending any session still connected."""
    with _admin_connection(server_url) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
        )


def _free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_postgres(command: list[str]) -> list[str]:
    """Wrap ``command`` so that root runs it as the ``postgres`` system user."""
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *command]
    return ["su", "-s", "/bin/sh", "postgres", "-c", shlex.join(command)]


def _run_as_postgres(cwd: Path, *command: str) -> None:
    """Run a server command as ``postgres``; fail with its output if it fails."""
    done = subprocess.run(
        _as_postgres(list(command)),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "LC_ALL": "C", "LANG": "C"},
    )
    if done.returncode != 0:
        log_file = cwd / "server.log"
        server_log = log_file.read_text() if log_file.exists() else ""
        raise RuntimeError(
            f"{Path(command[0]).name} failed ({done.returncode}):\n"
            f"{done.stdout}\n{done.stderr}\n{server_log}"
        )


@contextlib.contextmanager
def _root_private_server(bindir: Path) -> Iterator[str]:
    """Run a throwaway server as user postgres (initdb refuses root); yield its URL."""
    base = Path(tempfile.mkdtemp(prefix="tenure-pg-"))
    data, pg_ctl = str(base / "data"), str(bindir / "pg_ctl")
    try:
        shutil.chown(base, user="postgres", group="postgres")
        _run_as_postgres(
            base, str(bindir / "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        port = _free_port()
        options = f"-p {port} -c listen_addresses=127.0.0.1 -k {base} {FAST_OPTIONS}"
        _run_as_postgres(
            base, pg_ctl, "start", "-D", data, "-l", str(base / "server.log"),
            "-w", "-t", "60", "-o", options,
        )  # fmt: skip
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            _run_as_postgres(base, pg_ctl, "stop", "-D", data, "-m", "immediate", "-w")
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgresql_server_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a PostgreSQL server's maintenance database; never write to it."""
    started = time.perf_counter()
    force_private = os.environ.get("TENURE_TEST_PG_FORCE_PRIVATE", "") not in ("", "0")
    configured = os.environ.get("TENURE_TEST_PG_URL", "").strip()
    if configured and not force_private:
        if not _answers(configured):
            pytest.fail(
                f"TENURE_TEST_PG_URL={configured} does not answer", pytrace=False
            )
        yield configured
        return
    if not force_private and _answers(LOCAL_PG_URL):
        yield LOCAL_PG_URL
        return
    if PG_BINDIR is None:
        message = (
            "no PostgreSQL server answers on 127.0.0.1:5432 and no server binaries"
            " were found (run `make system-deps`)"
        )
        if _in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    if os.geteuid() == 0:
        with _root_private_server(PG_BINDIR) as url:
            log.info("throwaway PostgreSQL up in %.1fs", time.perf_counter() - started)
            yield url
        return
    proc = request.getfixturevalue("tenure_postgresql_proc")
    yield f"postgresql+psycopg://{proc.user}@{proc.host}:{proc.port}/postgres"


@pytest.fixture(scope="session")
def postgresql_url(postgresql_server_url: str) -> Iterator[str]:
    """URL of the suite's own PostgreSQL database, migrated to head."""
    url = _create_database(postgresql_server_url, SUITE_DB_PREFIX)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        _drop_database(postgresql_server_url, SUITE_DB_PREFIX)


@pytest.fixture(scope="session")
def postgresql_engine(postgresql_url: str) -> Iterator[Engine]:
    """Engine over the suite's PostgreSQL database, disposed at the end."""
    engine = make_engine(postgresql_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of the suite's SQLite database file, migrated to head."""
    path = tmp_path_factory.mktemp("sqlite") / "tenure.sqlite"
    url = f"sqlite:///{path.as_posix()}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    """Engine over the suite's SQLite database, disposed at the end."""
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


def empty_tables(engine: Engine) -> None:
    """Delete every row of every model table, children before parents."""
    close_all_sessions()
    with engine.begin() as connection:
        delete_all_rows(connection)


@pytest.fixture(scope="session", params=BACKENDS, ids=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Name of the database backend the current test runs on."""
    name: str = request.param
    return name


@pytest.fixture
def db_engine(request: pytest.FixtureRequest, backend: str) -> Iterator[Engine]:
    """Engine over the migrated ``backend`` database; tables emptied after the test."""
    engine: Engine = request.getfixturevalue(f"{backend}_engine")
    yield engine
    empty_tables(engine)


@pytest.fixture
def db_url(request: pytest.FixtureRequest, backend: str, db_engine: Engine) -> str:
    """URL of the migrated database of ``backend``; tables emptied after the test."""
    url: str = request.getfixturevalue(f"{backend}_url")
    return url


@pytest.fixture
def factory(db_engine: Engine) -> sessionmaker[Session]:
    """Session factory over the test's backend; tables emptied after the test."""
    return make_session_factory(db_engine)


@pytest.fixture
def sqlite_factory(sqlite_engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Session factory over the SQLite database only; tables emptied after the test."""
    yield make_session_factory(sqlite_engine)
    empty_tables(sqlite_engine)


@pytest.fixture
def empty_db_url(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> Iterator[str]:
    """URL of a brand-new, unmigrated database of ``backend``, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{(tmp_path / 'empty.sqlite').as_posix()}"
        return
    server_url: str = request.getfixturevalue("postgresql_server_url")
    name = f"{SUITE_DB_PREFIX}_{next(_fresh_numbers)}"
    url = _create_database(server_url, name)
    try:
        yield url
    finally:
        _drop_database(server_url, name)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the PostgreSQL variants so that ``-m "not postgres"`` leaves them out."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend") == "postgresql":
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(autouse=True)
def own_event_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Give every test an event store path of its own, never ./tenure-data."""
    monkeypatch.setenv("TENURE_EVENTS_PATH", str(tmp_path / "events.duckdb"))
