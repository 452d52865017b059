"""What the book tests change in the shared demo company, read first and put back.

A reassignment changes owners, owner history and task assignees and adds
timeline entries and notices; a test snapshots all of that first and restores
it afterwards, so the other web tests see the company as loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update

from tenure.accounts.models import Account, AccountOwnerHistory
from tenure.book.models import AssignmentRule
from tenure.notifications.models import Notification
from tenure.staff.models import StaffUser
from tenure.tasks.models import Task, TaskEvent
from tenure.timeline.models import Activity
from tests.web.conftest import WebData
from tests.web.test_api import db_session

ADDED: tuple[Any, ...] = (Account, Activity, Notification, TaskEvent)


@dataclass
class Snapshot:
    """What the book's writes change, as it was before a test."""

    owners: dict[int, int | None]
    history: list[dict[str, Any]]
    assignees: dict[int, int | None]
    rules: list[dict[str, Any]]
    newest: dict[Any, int]


def _rows(session: Any, model: Any) -> list[dict[str, Any]]:
    columns = model.__table__.columns
    statement = select(*columns).order_by(columns["id"])
    return [dict(row._mapping) for row in session.execute(statement)]


def take(data: WebData) -> Snapshot:
    """Read what a test may change."""
    engine, tx = db_session(data)
    try:
        with tx as session:
            return Snapshot(
                owners=dict(
                    session.execute(select(Account.id, Account.owner_id)).all()
                ),
                history=_rows(session, AccountOwnerHistory),
                assignees=dict(
                    session.execute(select(Task.id, Task.assignee_id)).all()
                ),
                rules=_rows(session, AssignmentRule),
                newest={
                    model: max(
                        session.scalars(select(model.id)).all(),
                        default=0,
                    )
                    for model in ADDED
                },
            )
    finally:
        engine.dispose()


def restore(data: WebData, before: Snapshot) -> None:
    """Put back what ``take`` read; delete the rows added since."""
    engine, tx = db_session(data)
    try:
        with tx as session:
            for model, newest in before.newest.items():
                session.execute(delete(model).where(model.id > newest))
            now = dict(session.execute(select(Account.id, Account.owner_id)).all())
            for account, owner in before.owners.items():
                if now.get(account) != owner:
                    session.execute(
                        update(Account)
                        .where(Account.id == account)
                        .values(owner_id=owner)
                    )
            session.execute(delete(AccountOwnerHistory))
            session.execute(insert(AccountOwnerHistory), before.history)
            tasks = dict(session.execute(select(Task.id, Task.assignee_id)).all())
            for task, assignee in before.assignees.items():
                if tasks.get(task) != assignee:
                    session.execute(
                        update(Task).where(Task.id == task).values(assignee_id=assignee)
                    )
            session.execute(delete(AssignmentRule))
            if before.rules:
                session.execute(insert(AssignmentRule), before.rules)
    finally:
        engine.dispose()


def staff(data: WebData, email: str) -> tuple[int, int | None]:
    """A demo staff user's id and team."""
    engine, tx = db_session(data)
    try:
        with tx as session:
            user = session.scalars(select(StaffUser).filter_by(email=email)).one()
            return user.id, user.team_id
    finally:
        engine.dispose()


def teammate(data: WebData, email: str) -> str:
    """Another active CSM of ``email``'s team."""
    engine, tx = db_session(data)
    try:
        with tx as session:
            user = session.scalars(select(StaffUser).filter_by(email=email)).one()
            return (
                session.scalars(
                    select(StaffUser.email)
                    .where(
                        StaffUser.team_id == user.team_id,
                        StaffUser.role == "csm",
                        StaffUser.id != user.id,
                    )
                    .order_by(StaffUser.email)
                ).first()
                or ""
            )
    finally:
        engine.dispose()


def owned(data: WebData, email: str, count: int = 2) -> list[str]:
    """The first accounts ``email`` owns."""
    engine, tx = db_session(data)
    try:
        with tx as session:
            return list(
                session.scalars(
                    select(Account.external_id)
                    .join(StaffUser, StaffUser.id == Account.owner_id)
                    .where(StaffUser.email == email)
                    .order_by(Account.external_id)
                    .limit(count)
                )
            )
    finally:
        engine.dispose()


def owner_of(data: WebData, external_id: str) -> str | None:
    """The email of an account's owner now."""
    engine, tx = db_session(data)
    try:
        with tx as session:
            return session.scalar(
                select(StaffUser.email)
                .join(Account, Account.owner_id == StaffUser.id)
                .where(Account.external_id == external_id)
            )
    finally:
        engine.dispose()


def new_account(data: WebData, external_id: str, region: str) -> None:
    """Add an unowned account, as an import without owners would."""
    engine, tx = db_session(data)
    try:
        with tx as session:
            session.add(
                Account(external_id=external_id, name=external_id, region=region)
            )
    finally:
        engine.dispose()
