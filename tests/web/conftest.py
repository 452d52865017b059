"""Fixtures of the web tests: a demo company, a signed-in-able user per role, the app.

The app runs inside NiceGUI's user simulation: pages and the JSON API are served
in-process through httpx, with the same session for both.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from nicegui import core, ui
from nicegui.functions.download import download
from nicegui.functions.navigate import Navigate
from nicegui.functions.notify import notify
from nicegui.testing import User
from nicegui.testing.general import nicegui_reset_globals
from sqlalchemy import delete, select

from tenure.auth import service as auth
from tenure.auth.passwords import hash_password
from tenure.db import migrate
from tenure.db.session import (
    delete_all_rows,
    make_engine,
    make_session_factory,
    transaction,
)
from tenure.demo import generate, load, load_usage
from tenure.demo.operations import load_operations
from tenure.health import service as health
from tenure.health.defaults import DEFAULT_DEFINITION, DEFAULT_NAME
from tenure.health.models import HealthOverride, Scorecard, SentimentEntry
from tenure.revenue import service as revenue
from tenure.revenue.loading import today
from tenure.settings import service as settings
from tenure.staff.models import ROLES, StaffUser, Team
from tenure.usage.rollup import rollup
from tenure.usage.store import EventStore
from tenure.web import server
from tests.conftest import BACKENDS, SUITE_DB_PREFIX, _create_database, _drop_database

PASSWORD = "web-tests-password"
DEMO_ACCOUNTS = 160
# Health is scored today and on these earlier days, so that histories have a trend.
SCORED_DAYS_BACK = (84, 56, 28)


@dataclass(frozen=True)
class WebData:
    """A loaded demo company: its database, a login and an API key per role."""

    url: str
    backend: str
    logins: dict[str, str]
    keys: dict[str, str]
    other_csm: str


def load_company(url: str, backend: str, events: Path) -> WebData:
    """Load a small demo company into ``url`` and give every staff user PASSWORD.

    Its usage goes through an event store at ``events`` and the rollup; health is
    scored today and on SCORED_DAYS_BACK; then the demo's rules, playbooks and
    operations history are loaded.
    """
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as session:
            delete_all_rows(session.connection())
            company = generate(seed=11, accounts=DEMO_ACCOUNTS)
            load(session, company)
            revenue.rebuild(session)
            day = today(session)
            store = EventStore.open(events)
            try:
                load_usage(store, company, day, seed=11)
                rollup(session, store, timezone=settings.get(session, "timezone"))
            finally:
                store.close()
            for back in SCORED_DAYS_BACK:
                health.score_accounts(session, day - dt.timedelta(days=back))
            health.score_accounts(session, day)
            load_operations(session, day, seed=11)
            hashed = hash_password(PASSWORD)
            users = session.scalars(select(StaffUser).order_by(StaffUser.email)).all()
            for user in users:
                user.password_hash = hashed
            logins: dict[str, str] = {}
            for role in ROLES:
                logins[role] = next(u.email for u in users if u.role == role)
            manager = next(u for u in users if u.email == logins["manager"])
            team_ids = set(
                session.scalars(select(Team.id).where(Team.manager_id == manager.id))
            ) | {manager.team_id}
            in_team = [u for u in users if u.role == "csm" and u.team_id in team_ids]
            outside = [u for u in users if u.role == "csm" and u not in in_team]
            logins["csm"] = in_team[0].email
            keys = {
                role: auth.create_api_key(session, auth.get_user(session, email))[0]
                for role, email in logins.items()
            }
            return WebData(url, backend, logins, keys, outside[0].email)
    finally:
        engine.dispose()


def reset_health(data: WebData) -> None:
    """Undo what a test entered: sentiment, overrides, new scorecards; rescore today."""
    engine = make_engine(data.url)
    try:
        with transaction(make_session_factory(engine)) as session:
            session.execute(delete(SentimentEntry))
            session.execute(delete(HealthOverride))
            session.execute(delete(Scorecard).where(Scorecard.name != DEFAULT_NAME))
            default = health.ensure_default_scorecard(session)
            if not default.is_default or default.definition != DEFAULT_DEFINITION:
                health.update_scorecard(
                    session,
                    default.id,
                    {"is_default": True, "definition": DEFAULT_DEFINITION},
                )
            health.score_accounts(session, today(session))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def web_sqlite(tmp_path_factory: pytest.TempPathFactory) -> WebData:
    """The demo company in a SQLite file of its own."""
    folder = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{(folder / 'web.sqlite').as_posix()}"
    migrate.upgrade(url)
    return load_company(url, "sqlite", folder / "events.duckdb")


@pytest.fixture(scope="session")
def web_postgresql(
    postgresql_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebData]:
    """The demo company in a PostgreSQL database of its own."""
    name = f"{SUITE_DB_PREFIX}_web"
    url = _create_database(postgresql_server_url, name)
    try:
        migrate.upgrade(url)
        events = tmp_path_factory.mktemp("web-pg") / "events.duckdb"
        yield load_company(url, "postgresql", events)
    finally:
        _drop_database(postgresql_server_url, name)


@pytest.fixture(scope="session", params=BACKENDS, ids=BACKENDS)
def web_data(request: pytest.FixtureRequest) -> WebData:
    """The demo company on each backend in turn."""
    data: WebData = request.getfixturevalue(f"web_{request.param}")
    return data


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    """Run async tests on asyncio, as NiceGUI does."""
    return "asyncio"


@pytest.fixture(scope="session", autouse=True)
def web_storage() -> Iterator[Path]:
    """Keep NiceGUI's per-browser storage in a folder of this run."""
    path = Path(tempfile.mkdtemp(prefix="tenure-web-storage-"))
    server.use_storage_path(path)
    yield path


@asynccontextmanager
async def simulated_app(url: str) -> AsyncIterator[httpx.AsyncClient]:
    """Build the app on ``url`` and yield an in-process HTTP client for it."""
    with nicegui_reset_globals():
        os.environ["NICEGUI_USER_SIMULATION"] = "true"
        # NiceGUI's reset keeps the app object, and every include_router wraps its
        # lifespan once more; restored afterwards so hundreds of builds do not nest.
        lifespan = core.app.router.lifespan_context
        try:
            server.build(url, run_jobs=False)
            ui.run(storage_secret="web tests", **server.run_options())
            async with core.app.router.lifespan_context(core.app):
                transport = httpx.ASGITransport(core.app)
                async with httpx.AsyncClient(
                    transport=transport, base_url="http://test"
                ) as client:
                    yield client
        finally:
            core.app.router.lifespan_context = lifespan
            os.environ.pop("NICEGUI_USER_SIMULATION", None)
            ui.navigate = Navigate()
            ui.notify = notify
            ui.download = download


@pytest.fixture
async def client(web_data: WebData) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the app over the demo company, on each backend."""
    async with simulated_app(web_data.url) as http:
        yield http


@pytest.fixture
async def user(web_sqlite: WebData) -> AsyncIterator[User]:
    """A simulated browser user of the app over the demo company (SQLite)."""
    async with simulated_app(web_sqlite.url) as http:
        yield User(http)


async def sign_in(
    user: User, email: str, password: str = PASSWORD, target: str | None = "/"
) -> None:
    """Sign a simulated user in through the sign-in page, heading for ``target``.

    ``target`` None signs in without a page asked for: the role's landing page.
    """
    await user.open("/login" if target is None else f"/login?next={target}")
    user.find(marker="email").type(email)
    user.find(marker="password").type(password)
    user.find(marker="sign-in").click()
