"""The demo company's customer-success work: rules, playbooks, tiers and a history.

After the revenue, usage and health are loaded, this installs the default segments,
tiers, playbooks and rules, lets the rules fire week by week over the last month as
the daily job would have, has the CSMs complete most of the older tasks, and logs
calls, meetings and notes on the timeline. Chinese customers' entries are written
in Chinese, the others' in English: timeline entries are the team's own words.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tenure.accounts.models import Account, Contact
from tenure.demo.book import load_book
from tenure.demo.briefing import subscribe_staff
from tenure.demo.generator import CHINA_REGIONS
from tenure.playbooks import defaults as playbook_defaults
from tenure.rules import defaults as rule_defaults
from tenure.rules.service import evaluate_rules
from tenure.segments import defaults as segment_defaults
from tenure.segments.tiers import assign_tiers
from tenure.tasks.models import OPEN_STATUSES, Task, TaskEvent
from tenure.tasks.service import mark_done
from tenure.timeline.models import Activity

log = logging.getLogger(__name__)

RULE_WEEKS = 4  # the rules fire weekly over the last four weeks, then today
DONE_SHARE = 0.7  # of the tasks older than a few days, completed by their assignee
DONE_AFTER_DAYS = 3
ACTIVITY_DAYS = 90
ACTIVITIES_PER_ACCOUNT = (0, 6)

SUBJECTS = {
    "call": (("季度回访电话", "Quarterly check-in call"),
             ("续约意向沟通", "Renewal intent call"),
             ("使用问题跟进", "Follow-up on a usage question")),
    "meeting": (("业务回顾会议 (QBR)", "Quarterly business review"),
                ("新功能培训", "Training on new features"),
                ("管理员上线培训", "Admin onboarding session")),
    "email": (("发送使用报告", "Sent the usage report"),
              ("续约报价已发送", "Sent the renewal quote")),
    "note": (("客户反馈：希望增加报表导出", "Feedback: wants more report exports"),
             ("关键联系人更换", "New main contact at the customer")),
}  # fmt: skip
OUTCOMES = (
    ("已电话沟通，客户确认继续使用", "Called; the customer confirmed they stay"),
    ("已安排培训，活跃度恢复", "Training booked; usage picked up again"),
    ("客户反馈预算紧张，已上报经理", "Budget is tight; escalated to the manager"),
    ("已完成", "Done"),
)


@dataclass(frozen=True)
class OperationsStats:
    """What the demo's operations history added."""

    tasks: int
    completed: int
    activities: int


def load_operations(session: Session, today: dt.date, seed: int) -> OperationsStats:
    """Install the defaults, replay the rules over the last weeks, log a history."""
    segment_defaults.install_defaults(session)
    playbook_defaults.install_defaults(session)
    rule_defaults.install_defaults(session)
    assign_tiers(session, today)
    rng = random.Random(seed)
    for weeks in range(RULE_WEEKS, -1, -1):
        day = today - dt.timedelta(weeks=weeks)
        before = session.scalar(select(func.max(Task.id))) or 0
        evaluate_rules(session, day)
        if day < today:
            _backdate(session, rng, before, day)
    completed = _complete_older_tasks(session, rng, today)
    activities = _log_activities(session, rng, today)
    load_book(session, today, seed)
    subscribe_staff(session)
    tasks = len(session.scalars(select(Task.id)).all())
    log.info(
        "demo operations: %d tasks (%d completed), %d activities",
        tasks,
        completed,
        activities,
    )
    return OperationsStats(tasks, completed, activities)


def _backdate(
    session: Session, rng: random.Random, after_id: int, day: dt.date
) -> None:
    """Date the tasks a replayed evaluation created on the day it stands for."""
    for task in session.scalars(select(Task).where(Task.id > after_id)):
        when = _moment(rng, day)
        task.created_at = task.updated_at = when
        session.execute(
            update(TaskEvent).where(TaskEvent.task_id == task.id).values(at=when)
        )
    session.flush()


def _chinese(region: str | None) -> bool:
    return region in CHINA_REGIONS


def _moment(rng: random.Random, day: dt.date) -> dt.datetime:
    """A working-hours moment on ``day`` in China (UTC+8), as UTC."""
    local = dt.datetime.combine(day, dt.time(rng.randint(9, 17), rng.choice((0, 30))))
    return (local - dt.timedelta(hours=8)).replace(tzinfo=dt.UTC)


def _complete_older_tasks(session: Session, rng: random.Random, today: dt.date) -> int:
    """The assignees complete most tasks created a few days ago or earlier."""
    cutoff = dt.datetime.combine(
        today - dt.timedelta(days=DONE_AFTER_DAYS), dt.time(), dt.UTC
    )
    query = (
        select(Task, Account.region)
        .join(Account, Account.id == Task.account_id)
        .where(
            Task.status.in_(OPEN_STATUSES),
            Task.created_at < cutoff,
            Task.assignee_id.is_not(None),
        )
        .order_by(Task.id)
    )
    done = 0
    for task, region in session.execute(query).all():
        if rng.random() >= DONE_SHARE or task.assignee_id is None:
            continue
        chinese, english = rng.choice(OUTCOMES)
        activity = mark_done(
            session, task, task.assignee_id, chinese if _chinese(region) else english
        )
        created = task.created_at.date()
        finished = min(today, created + dt.timedelta(days=rng.randint(1, 6)))
        when = _moment(rng, finished)
        task.completed_at = task.updated_at = when
        activity.occurred_at = when
        session.flush()
        session.execute(
            update(TaskEvent)
            .where(TaskEvent.task_id == task.id, TaskEvent.action == "completed")
            .values(at=when)
        )
        done += 1
    session.flush()
    return done


def _log_activities(session: Session, rng: random.Random, today: dt.date) -> int:
    """Calls, meetings, emails and notes over the last ACTIVITY_DAYS per account."""
    contacts: dict[int, list[int]] = {}
    for contact_id, account_id in session.execute(
        select(Contact.id, Contact.account_id)
    ):
        contacts.setdefault(account_id, []).append(contact_id)
    query = select(Account.id, Account.region, Account.owner_id).where(
        Account.owner_id.is_not(None)
    )
    rows = []
    for account_id, region, owner in session.execute(query.order_by(Account.id)):
        for _ in range(rng.randint(*ACTIVITIES_PER_ACCOUNT)):
            kind = rng.choice(tuple(SUBJECTS))
            chinese, english = rng.choice(SUBJECTS[kind])
            day = today - dt.timedelta(days=rng.randint(1, ACTIVITY_DAYS))
            people = contacts.get(account_id)
            rows.append(
                Activity(
                    account_id=account_id,
                    contact_id=rng.choice(people) if people else None,
                    kind=kind,
                    subject=chinese if _chinese(region) else english,
                    occurred_at=_moment(rng, day),
                    author_id=owner,
                    details={},
                )
            )
    session.add_all(rows)
    session.flush()
    return len(rows)
