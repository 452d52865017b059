"""Fixtures of the briefing tests; the content tests' fixtures start with ``content_``.

``content_company`` is a small crafted company around ``DAY`` (the briefing's local
date; it reports on ``YESTERDAY``): one movement of each kind yesterday, a churn,
renewals due and overdue, tasks due and overdue, and one health band fall, spread
over an executive, a manager of team East (CSMs Ann and Bo) and Cy of team West.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tenure.briefing.preferences import subscribe
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.health.models import HealthSnapshot
from tenure.revenue.models import AccountRevenue, MrrMovement
from tenure.settings.service import set_value
from tenure.staff.models import StaffUser, Team
from tenure.tasks.service import create_task
from tests.conftest import _free_port
from tests.health.conftest import Company

DAY = dt.date(2026, 12, 4)
YESTERDAY = DAY - dt.timedelta(days=1)


def content_day(offset: int) -> dt.date:
    """The day ``offset`` days after DAY (negative: before)."""
    return DAY + dt.timedelta(days=offset)


@dataclass
class ContentCompany:
    """The crafted company's people and accounts, by name."""

    company: Company
    executive: StaffUser
    manager: StaffUser
    ann: StaffUser
    bo: StaffUser
    cy: StaffUser
    accounts: dict[str, int]
    tasks: dict[str, int]

    @property
    def session(self) -> Session:
        """The open session of the company."""
        return self.company.session


def _person(company: Company, email: str, role: str, team: int | None) -> StaffUser:
    user = company.session.get(StaffUser, company.staff(email))
    assert user is not None
    user.role = role
    user.team_id = team
    return user


def _teams(company: Company) -> tuple[int, int]:
    east, west = Team(name="East"), Team(name="West")
    company.session.add_all([east, west])
    company.session.flush()
    return east.id, west.id


def _churned(company: Company, external_id: str, owner: int, amount: int) -> int:
    """A customer since last year who churned yesterday."""
    account = company.customer(external_id, mrr=amount, owner_id=owner)
    company.movement(account, YESTERDAY, "churn", -amount, 0)
    revenue = company.session.get(AccountRevenue, account)
    assert revenue is not None
    revenue.mrr_minor, revenue.active = 0, False
    return account


def _moved(
    company: Company, external_id: str, owner: int, kind: str, amount: int
) -> int:
    """A customer of 100.00 whose MRR moved by ``amount`` yesterday."""
    account = company.customer(external_id, mrr=10_000, owner_id=owner)
    company.movement(account, YESTERDAY, kind, amount, 10_000 + amount)
    revenue = company.session.get(AccountRevenue, account)
    assert revenue is not None
    revenue.mrr_minor = 10_000 + amount
    return account


@pytest.fixture
def content_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session on the test's backend, reporting in USD in UTC; rolled back after."""
    with factory() as opened:
        set_value(opened, "reporting_currency", "USD")
        set_value(opened, "timezone", "UTC")
        yield opened
        opened.rollback()


@pytest.fixture
def content_company(content_session: Session) -> ContentCompany:
    """The crafted company (see the module's docstring), flushed, not committed."""
    company = Company(content_session)
    session = content_session
    east, west = _teams(company)
    executive = _person(company, "exec@example.com", "executive", None)
    manager = _person(company, "lead@example.com", "manager", east)
    ann = _person(company, "ann@example.com", "csm", east)
    bo = _person(company, "bo@example.com", "csm", east)
    cy = _person(company, "cy@example.com", "csm", west)
    session.get_one(Team, east).manager_id = manager.id
    session.flush()

    accounts = {
        "new": company.customer(
            "ANN-NEW", mrr=50_000, since=YESTERDAY, owner_id=ann.id
        ),
        "expansion": _moved(company, "ANN-EXP", ann.id, "expansion", 12_300),
        "reactivation": company.customer(
            "BO-BACK", mrr=20_000, since=YESTERDAY, owner_id=bo.id
        ),
        "churn": _churned(company, "ANN-GONE", ann.id, 30_000),
        "contraction": _moved(company, "CY-DOWN", cy.id, "contraction", -4_000),
        "fx": _moved(company, "CY-FX", cy.id, "fx", 150),
    }
    # The returning customer's first movement yesterday is a reactivation.
    _reactivate(company, accounts["reactivation"])
    company.renewal(accounts["expansion"], content_day(10))
    company.renewal(accounts["contraction"], content_day(20))
    company.renewal(accounts["new"], content_day(-3))
    company.renewal(accounts["fx"], content_day(45))
    company.renewal(accounts["reactivation"], content_day(5), outcome="renewed")

    tasks = {}
    for name, who, due in (
        ("overdue", ann, content_day(-2)),
        ("today", ann, DAY),
        ("later", ann, content_day(3)),
        ("bo_overdue", bo, content_day(-1)),
        ("cy_overdue", cy, content_day(-1)),
    ):
        task = create_task(session, account_id=accounts["expansion"], type="risk",
                           title=f"Call about {name}", actor_id=None,
                           assignee_id=who.id, due_on=due)  # fmt: skip
        tasks[name] = task.id

    for account, before, after in (
        (accounts["expansion"], "green", "red"),
        (accounts["contraction"], "yellow", "red"),
        (accounts["fx"], "yellow", "green"),
    ):
        session.add(HealthSnapshot(account_id=account, as_of=content_day(-3),
                                   band=before, score=75.0))  # fmt: skip
        session.add(HealthSnapshot(account_id=account, as_of=YESTERDAY,
                                   band=after, score=30.0))  # fmt: skip
    session.flush()
    return ContentCompany(company, executive, manager, ann, bo, cy, accounts, tasks)


def _reactivate(company: Company, account: int) -> None:
    """Turn the account's first movement into a return after an earlier churn."""
    query = select(MrrMovement).where(MrrMovement.account_id == account)
    movement = company.session.scalars(query).one()
    movement.kind = "reactivation"
    company.session.flush()


# The delivery tests' fixtures (prefixed ``delivery_``): a real SMTP server, a local
# HTTP receiver standing in for the chat platforms, and two "processes".


@dataclass
class DeliveryMailbox:
    """An aiosmtpd server on 127.0.0.1 keeping what it receives.

    Each reply in ``refusals`` (such as "550 mailbox unavailable") answers one
    message's DATA instead of accepting it, in order.
    """

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)


class _MailHandler:
    def __init__(self, box: DeliveryMailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.box.refusals:
            return self.box.refusals.pop(0)
        message = message_from_bytes(envelope.content, policy=email_policy)
        assert isinstance(message, EmailMessage)
        self.box.messages.append(message)
        self.box.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


@pytest.fixture
def delivery_mailbox() -> Iterator[DeliveryMailbox]:
    """A running SMTP server on a free port, stopped after the test."""
    box = DeliveryMailbox(_free_port())
    controller = Controller(_MailHandler(box), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass(frozen=True)
class DeliveryRequest:
    """One request the receiver got: path, query parameters and JSON body."""

    path: str
    query: dict[str, str]
    body: dict[str, Any]


# What each platform answers when it takes a message.
DELIVERY_SUCCESS = {
    "/wecom": (200, '{"errcode": 0, "errmsg": "ok"}'),
    "/dingtalk": (200, '{"errcode": 0, "errmsg": "ok"}'),
    "/feishu": (200, '{"code": 0, "msg": "success", "data": {}}'),
    "/slack": (200, "ok"),
}


class DeliveryReceiver:
    """A ThreadingHTTPServer in a thread that records POSTs and answers as told.

    Replies queued in ``replies`` answer the next requests in order; otherwise the
    platform of the path (/wecom, /dingtalk, /feishu, /slack) answers its success.
    """

    def __init__(self) -> None:
        self.requests: list[DeliveryRequest] = []
        self.replies: list[tuple[int, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                size = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(size) or b"{}")
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                receiver.requests.append(DeliveryRequest(parts.path, query, body))
                status, text = (
                    receiver.replies.pop(0)
                    if receiver.replies
                    else DELIVERY_SUCCESS.get(parts.path, (200, "ok"))
                )
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        """The receiver's address of ``path``."""
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


@pytest.fixture
def delivery_receiver() -> Iterator[DeliveryReceiver]:
    """A running local HTTP receiver, stopped after the test."""
    receiver = DeliveryReceiver()
    receiver.thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
        receiver.thread.join()


@pytest.fixture
def delivery_processes(
    db_url: str, factory: sessionmaker[Session]
) -> Iterator[tuple[sessionmaker[Session], sessionmaker[Session]]]:
    """Two session factories on two engines of the test's database, as two servers."""
    other = make_engine(db_url)
    try:
        yield factory, make_session_factory(other)
    finally:
        other.dispose()


DELIVERY_BASE = "https://tenure.example.com"


def delivery_at(zone: str, day: dt.date, hour: int, minute: int) -> dt.datetime:
    """``hour:minute`` on ``day`` in ``zone``, as UTC."""
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(zone))
    return local.astimezone(dt.UTC)


def delivery_settings(
    factory: sessionmaker[Session], box: DeliveryMailbox | None = None
) -> None:
    """Point email at ``box`` (none: no mail server) and links at DELIVERY_BASE."""
    with transaction(factory) as session:
        set_value(session, "public_url", DELIVERY_BASE)
        set_value(session, "timezone", "UTC")
        set_value(session, "smtp_host", "127.0.0.1" if box else "")
        set_value(session, "smtp_port", str(box.port if box else 25))
        set_value(session, "smtp_security", "none")
        set_value(session, "smtp_from", "Tenure <tenure@example.com>")


def delivery_person(
    factory: sessionmaker[Session],
    email: str,
    *,
    since: dt.datetime,
    zone: str | None = "Asia/Shanghai",
    role: str = "executive",
    locale: str = "en",
    send_time: str = "08:30",
    channels: tuple[str, ...] = ("email",),
) -> int:
    """A staff user subscribed since ``since`` through ``channels``; their id."""
    with transaction(factory) as session:
        user = StaffUser(
            email=email, name=email.split("@")[0].title(), role=role,
            timezone=zone, locale=locale,
        )  # fmt: skip
        session.add(user)
        session.flush()
        pref = subscribe(
            session,
            user.id,
            send_time=send_time,
            email="email" in channels,
            in_app="in_app" in channels,
        )
        pref.subscribed_at = since
        return user.id
