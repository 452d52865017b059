"""An account's timeline: activities people log, completed tasks and churn reviews.

Reads take the caller's data scope ``owners`` (``tenure.auth.scope.owner_scope``);
an account outside it behaves exactly as if it did not exist. Writes take the
principal and need ``work_tasks``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.accounts import service as accounts
from tenure.accounts.models import Account, Contact
from tenure.auth.scope import Principal, owner_scope, require
from tenure.db.base import utcnow
from tenure.revenue.loading import today
from tenure.revenue.models import MrrMovement
from tenure.staff.models import StaffUser
from tenure.timeline.models import (
    CHURN_REASONS,
    KINDS,
    LOGGED_KINDS,
    Activity,
    ChurnReview,
)

log = logging.getLogger(__name__)

Row = dict[str, Any]
Owners = frozenset[int] | None
CHURN_REVIEW = "churn_review"
TIMELINE_KINDS = (*KINDS, CHURN_REVIEW)
MAX_LIMIT = 1000
MAX_SUBJECT = 300
# A churn review's timeline subject: the start of what happened.
SUBJECT_CHARS = 120
MAX_TEXT = 20_000
# How far ahead an activity may be dated: a meeting planned for tomorrow morning.
MAX_AHEAD = dt.timedelta(days=1)
# The movements that start a customer's life (again); a churn after one is new.
STARTS = ("new", "reactivation")


class NotFound(LookupError):
    """An account or review that does not exist or is outside the caller's scope."""


class TimelineError(ValueError):
    """A timeline value that is not allowed, naming the field and the value."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        super().__init__(f"{field} {value!r}: {reason}")
        self.field = field
        self.value = value
        self.reason = reason


def _account(session: Session, external_id: str, owners: Owners) -> int:
    """The id of an account in scope, or NotFound."""
    try:
        return accounts.account_id_in_scope(session, external_id, owners)
    except accounts.NotFound:
        raise NotFound(f"account '{external_id}' not found") from None


def _text(field: str, value: object, limit: int, required: bool = False) -> str | None:
    """``value`` stripped, None when empty; a TimelineError when too long or needed."""
    if value is not None and not isinstance(value, str):
        raise TimelineError(field, value, "must be text")
    text = (value or "").strip()
    if not text:
        if required:
            raise TimelineError(field, value, "must not be empty")
        return None
    if len(text) > limit:
        raise TimelineError(field, text[:40] + "...", f"is over {limit} characters")
    return text


def _names(session: Session, ids: Collection[int | None]) -> dict[int, str]:
    """Staff names by id."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    statement = select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(wanted))
    return {user_id: name for user_id, name in session.execute(statement)}


def log_activity(
    session: Session,
    principal: Principal,
    account: str,
    *,
    kind: str,
    subject: str,
    body: str | None = None,
    occurred_at: dt.datetime | None = None,
    contact_id: int | None = None,
) -> Activity:
    """Log a call, meeting, email, note or follow-up on an account in scope."""
    require(principal, "work_tasks")
    account_id = _account(session, account, owner_scope(session, principal))
    if kind not in LOGGED_KINDS:
        raise TimelineError("kind", kind, f"must be one of {', '.join(LOGGED_KINDS)}")
    now = utcnow()
    if occurred_at is None:
        occurred_at = now
    elif occurred_at.tzinfo is None or occurred_at.utcoffset() is None:
        raise TimelineError("occurred_at", occurred_at, "must include a time zone")
    elif occurred_at > now + MAX_AHEAD:
        raise TimelineError("occurred_at", occurred_at, "is more than a day ahead")
    if contact_id is not None:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.account_id != account_id:
            raise TimelineError(
                "contact_id", contact_id, f"is not a contact of account '{account}'"
            )
    activity = Activity(
        account_id=account_id,
        contact_id=contact_id,
        kind=kind,
        subject=_text("subject", subject, MAX_SUBJECT, required=True),
        body=_text("body", body, MAX_TEXT),
        occurred_at=occurred_at.astimezone(dt.UTC),
        author_id=principal.user_id,
        details={},
    )
    session.add(activity)
    session.flush()
    return activity


def activity_row(session: Session, activity: Activity) -> Row:
    """One activity as a timeline row, with its author's and contact's names."""
    author = _names(session, [activity.author_id]).get(activity.author_id or 0)
    contact = session.get(Contact, activity.contact_id) if activity.contact_id else None
    return _activity(activity, author, contact.name if contact else None)


def _activity(activity: Activity, author: str | None, contact: str | None) -> Row:
    return {
        "id": activity.id,
        "kind": activity.kind,
        "subject": activity.subject,
        "body": activity.body,
        "occurred_at": activity.occurred_at,
        "author": author,
        "contact": contact,
        "task_id": activity.task_id,
        "details": dict(activity.details or {}),
    }


def review_row(review: ChurnReview, author: str | None, account_id: str) -> Row:
    """A churn review as a timeline row (dated when it was written) and its fields."""
    return {
        "id": review.id,
        "kind": CHURN_REVIEW,
        "account_id": account_id,
        "subject": review.what_happened.strip().splitlines()[0][:SUBJECT_CHARS],
        "body": review.what_happened,
        "occurred_at": review.created_at,
        "author": author,
        "contact": None,
        "task_id": None,
        "details": {},
        "reason": review.reason,
        "what_happened": review.what_happened,
        "lessons": review.lessons,
        "preventable": review.preventable,
        "churned_on": review.churned_on,
    }


def timeline(
    session: Session,
    account: str,
    owners: Owners,
    *,
    kinds: Collection[str] = (),
    limit: int = 200,
    before: dt.datetime | None = None,
) -> list[Row]:
    """An account's activities and churn reviews, newest first.

    ``kinds`` keeps those kinds (all when empty; "churn_review" for reviews);
    ``before`` keeps what happened before that moment, for the next page.
    """
    account_id = _account(session, account, owners)
    for kind in kinds:
        if kind not in TIMELINE_KINDS:
            raise TimelineError("kind", kind, f"use {', '.join(TIMELINE_KINDS)}")
    if not 1 <= limit <= MAX_LIMIT:
        raise TimelineError("limit", limit, f"use 1 to {MAX_LIMIT}")
    if before is not None and before.tzinfo is None:
        raise TimelineError("before", before, "must include a time zone")
    activity_kinds = [k for k in kinds if k != CHURN_REVIEW]
    statement = (
        select(Activity, StaffUser.name, Contact.name)
        .outerjoin(StaffUser, StaffUser.id == Activity.author_id)
        .outerjoin(Contact, Contact.id == Activity.contact_id)
        .where(Activity.account_id == account_id)
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(limit)
    )
    if before is not None:
        statement = statement.where(Activity.occurred_at < before)
    rows: list[Row] = []
    if activity_kinds or not kinds:
        if activity_kinds:
            statement = statement.where(Activity.kind.in_(activity_kinds))
        rows = [_activity(*found) for found in session.execute(statement)]
    if not kinds or CHURN_REVIEW in kinds:
        reviews = (
            select(ChurnReview, StaffUser.name)
            .outerjoin(StaffUser, StaffUser.id == ChurnReview.author_id)
            .where(ChurnReview.account_id == account_id)
            .order_by(ChurnReview.created_at.desc(), ChurnReview.id.desc())
            .limit(limit)
        )
        if before is not None:
            reviews = reviews.where(ChurnReview.created_at < before)
        for review, author in session.execute(reviews):
            rows.append(review_row(review, author, account))
    rows.sort(key=lambda row: (row["occurred_at"], row["id"]), reverse=True)
    return rows[:limit]


def last_churn(session: Session, account_id: int) -> dt.date | None:
    """The day of the account's churn if its latest movement up to today is one."""
    latest = session.execute(
        select(MrrMovement.kind, MrrMovement.date)
        .where(MrrMovement.account_id == account_id, MrrMovement.date <= today(session))
        .order_by(MrrMovement.date.desc(), MrrMovement.id.desc())
        .limit(1)
    ).first()
    if latest is None or latest.kind != "churn":
        return None
    day: dt.date = latest.date
    return day


def _started(session: Session, account_id: int, churned: dt.date) -> dt.date:
    """The day the customer last started (new or back) before churning on ``churned``.

    A customer who came back and left again has a new churn, and so a new review:
    a review belongs to the churn after the start it is dated from.
    """
    started = session.scalar(
        select(MrrMovement.date)
        .where(
            MrrMovement.account_id == account_id,
            MrrMovement.kind.in_(STARTS),
            MrrMovement.date <= churned,
        )
        .order_by(MrrMovement.date.desc())
        .limit(1)
    )
    return started or dt.date.min


def add_churn_review(
    session: Session,
    principal: Principal,
    account: str,
    *,
    reason: str,
    what_happened: str,
    lessons: str | None = None,
    churned_on: dt.date | None = None,
    preventable: bool | None = None,
) -> ChurnReview:
    """Write why a churned customer left; a second call updates the same review.

    ``churned_on`` defaults to the day of the churn movement. The review's author
    is whoever wrote it last.
    """
    require(principal, "work_tasks")
    account_id = _account(session, account, owner_scope(session, principal))
    churned = last_churn(session, account_id)
    if churned is None:
        raise TimelineError("account", account, "has not churned")
    if reason not in CHURN_REASONS:
        raise TimelineError("reason", reason, f"use {', '.join(CHURN_REASONS)}")
    started = _started(session, account_id, churned)
    if churned_on is not None and churned_on > today(session):
        raise TimelineError("churned_on", churned_on, "is in the future")
    if churned_on is not None and churned_on < started:
        raise TimelineError("churned_on", churned_on, f"is before the start {started}")
    values = {
        "reason": reason,
        "what_happened": _text("what_happened", what_happened, MAX_TEXT, True),
        "lessons": _text("lessons", lessons, MAX_TEXT),
        "preventable": preventable,
        "churned_on": churned_on or churned,
        "author_id": principal.user_id,
    }
    review = session.scalars(
        select(ChurnReview)
        .where(ChurnReview.account_id == account_id, ChurnReview.churned_on >= started)
        .order_by(ChurnReview.id.desc())
    ).first()
    if review is None:
        review = ChurnReview(account_id=account_id, **values)
        session.add(review)
    else:
        for name, value in values.items():
            setattr(review, name, value)
    session.flush()
    return review


def churn_review(session: Session, account: str, owners: Owners) -> Row:
    """The account's latest churn review, or NotFound when it has none."""
    account_id = _account(session, account, owners)
    found = session.execute(
        select(ChurnReview, StaffUser.name)
        .outerjoin(StaffUser, StaffUser.id == ChurnReview.author_id)
        .where(ChurnReview.account_id == account_id)
        .order_by(ChurnReview.churned_on.desc(), ChurnReview.id.desc())
        .limit(1)
    ).first()
    if found is None:
        raise NotFound(f"account '{account}' has no churn review")
    return review_row(found[0], found[1], account)


def churn_reviews(
    session: Session,
    owners: Owners,
    *,
    since: dt.date | None = None,
    reason: str | None = None,
) -> list[Row]:
    """Churn reviews of the accounts in scope, latest churn first."""
    if reason is not None and reason not in CHURN_REASONS:
        raise TimelineError("reason", reason, f"use {', '.join(CHURN_REASONS)}")
    statement = (
        select(ChurnReview, StaffUser.name, Account.external_id, Account.name)
        .join(Account, Account.id == ChurnReview.account_id)
        .outerjoin(StaffUser, StaffUser.id == ChurnReview.author_id)
        .order_by(ChurnReview.churned_on.desc(), ChurnReview.id.desc())
    )
    if owners is not None:
        statement = statement.where(Account.owner_id.in_(sorted(owners)))
    if since is not None:
        statement = statement.where(ChurnReview.churned_on >= since)
    if reason is not None:
        statement = statement.where(ChurnReview.reason == reason)
    return [
        {**review_row(review, author, external_id), "account_name": name}
        for review, author, external_id, name in session.execute(statement)
    ]
