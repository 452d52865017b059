"""An account's timeline and churn reviews as JSON.

Reads are open to every role within its data scope; logging an activity and
writing a churn review need ``work_tasks``.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import AbstractContextManager
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime

from tenure.auth.scope import owner_scope
from tenure.timeline import service as timeline
from tenure.timeline.schemas import ChurnReviewBody, NewActivity
from tenure.web.api.deps import (
    Caller,
    Db,
    TenureJSON,
    answering,
)

log = logging.getLogger(__name__)

router = APIRouter(tags=["timeline"], default_response_class=TenureJSON)


def answered() -> AbstractContextManager[None]:
    """Turn the timeline's errors into 403, 404 and 422 responses."""
    return answering(missing=(timeline.NotFound,), invalid=(timeline.TimelineError,))


@router.get("/accounts/{account_id}/timeline")
def account_timeline(
    account_id: str,
    principal: Caller,
    session: Db,
    kind: Annotated[
        list[str] | None,
        Query(description=f"Keep these kinds: {', '.join(timeline.TIMELINE_KINDS)}"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=timeline.MAX_LIMIT)] = 200,
    before: Annotated[
        AwareDatetime | None, Query(description="Only what happened before")
    ] = None,
) -> TenureJSON:
    """Activities, completed tasks and churn reviews, newest first."""
    with answered():
        rows = timeline.timeline(
            session,
            account_id,
            owner_scope(session, principal),
            kinds=tuple(kind or ()),
            limit=limit,
            before=before,
        )
    return TenureJSON(rows)


@router.post("/accounts/{account_id}/timeline", status_code=status.HTTP_201_CREATED)
def log_activity(
    account_id: str, new: NewActivity, principal: Caller, session: Db
) -> TenureJSON:
    """Log a call, meeting, email, note or follow-up on the account."""
    with answered():
        activity = timeline.log_activity(
            session,
            principal,
            account_id,
            kind=new.kind,
            subject=new.subject,
            body=new.body,
            occurred_at=new.occurred_at,
            contact_id=new.contact_id,
        )
        row = timeline.activity_row(session, activity)
    return TenureJSON(row, status_code=status.HTTP_201_CREATED)


@router.get("/accounts/{account_id}/churn-review")
def churn_review(account_id: str, principal: Caller, session: Db) -> TenureJSON:
    """The account's latest churn review; 404 when it has none."""
    with answered():
        row = timeline.churn_review(
            session, account_id, owner_scope(session, principal)
        )
    return TenureJSON(row)


@router.put("/accounts/{account_id}/churn-review")
def write_churn_review(
    account_id: str, review: ChurnReviewBody, principal: Caller, session: Db
) -> TenureJSON:
    """Write (or rewrite) the review of a churned account's churn."""
    with answered():
        written = timeline.add_churn_review(
            session,
            principal,
            account_id,
            reason=review.reason,
            what_happened=review.what_happened,
            lessons=review.lessons,
            churned_on=review.churned_on,
            preventable=review.preventable,
        )
    return TenureJSON(timeline.review_row(written, principal.name, account_id))


@router.get("/churn-reviews")
def churn_reviews(
    principal: Caller,
    session: Db,
    since: Annotated[dt.date | None, Query(description="Churned on or after")] = None,
    reason: Annotated[str | None, Query(description="One churn reason")] = None,
) -> TenureJSON:
    """Churn reviews of the accounts the caller sees, latest churn first."""
    with answered():
        rows = timeline.churn_reviews(
            session, owner_scope(session, principal), since=since, reason=reason
        )
    return TenureJSON(rows)
