"""The book of business as JSON: assignment rules, assigning now, bulk reassignment.

Every role reads the rules; changing them, previewing or running an assignment
and reassigning need ``manage_book`` (admins and managers). A manager moves only
accounts in their scope and only to people in it. A bad value is a 422 naming
the field and value; a reassignment whose preview no longer holds is a 409.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Response, status

from tenure.auth.scope import Forbidden
from tenure.book import assign, reassign, rules
from tenure.book.schemas import BookError, NotFound, Stale
from tenure.web.api.deps import (
    Caller,
    Db,
    TenureJSON,
    allow,
    not_found,
    unprocessable,
)

log = logging.getLogger(__name__)

router = APIRouter(tags=["book"], default_response_class=TenureJSON)

RuleBody = Annotated[
    dict[str, Any],
    Body(description="name, conditions, strategy, user_id or team_id, active"),
]
Accounts = Annotated[
    dict[str, Any] | None,
    Body(description="account_ids: external ids (default: every unowned account)"),
]
Reassignment = Annotated[
    dict[str, Any],
    Body(description="A selection, 'to' (email) or 'team' (name), spread, reason"),
]


@contextmanager
def _answers() -> Iterator[None]:
    """Turn the book's errors into 403, 404 (a rule), 409 and 422 responses."""
    try:
        yield
    except Forbidden as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from None
    except Stale as exc:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            {"message": "the preview no longer holds", "changes": exc.changes},
        ) from None
    except NotFound as exc:
        if exc.field == "rule_id":
            raise not_found(str(exc)) from None
        raise unprocessable(str(exc)) from None
    except BookError as exc:
        raise unprocessable(str(exc)) from None


def _account_ids(session: Db, body: dict[str, Any] | None) -> list[int] | None:
    """The ids of the accounts a body names, or None for every unowned account."""
    given = (body or {}).get("account_ids")
    if given is None:
        return None
    if not isinstance(given, list) or not all(isinstance(i, str) for i in given):
        raise BookError("account_ids", given, "must be a list of account ids")
    return assign.account_ids_of(session, given)


@router.get("/book/rules")
def list_rules(principal: Caller, session: Db) -> TenureJSON:
    """Every assignment rule in the order they are tried."""
    return TenureJSON(rules.list_rules(session))


@router.post("/book/rules", status_code=status.HTTP_201_CREATED)
def create_rule(spec: RuleBody, principal: Caller, session: Db) -> TenureJSON:
    """Create a rule (last unless a position is given)."""
    allow(principal, "manage_book")
    with _answers():
        row = rules.create_rule(session, spec)
    return TenureJSON(
        rules.get_rule(session, row.id), status_code=status.HTTP_201_CREATED
    )


@router.post("/book/rules/preview")
def preview_rules(principal: Caller, session: Db, body: Accounts = None) -> TenureJSON:
    """Who each unowned account (or each given one) would go to; nothing changes."""
    allow(principal, "manage_book")
    with _answers():
        result = assign.preview_assignment(session, _account_ids(session, body))
    return TenureJSON({**result.details(), "rows": result.rows()})


@router.get("/book/rules/{rule_id}")
def get_rule(rule_id: int, principal: Caller, session: Db) -> TenureJSON:
    """One assignment rule."""
    with _answers():
        return TenureJSON(rules.get_rule(session, rule_id))


@router.put("/book/rules/{rule_id}")
def update_rule(
    rule_id: int, changes: RuleBody, principal: Caller, session: Db
) -> TenureJSON:
    """Change the fields given (a position moves the rule); the others stay."""
    allow(principal, "manage_book")
    with _answers():
        rules.update_rule(session, rule_id, changes)
        return TenureJSON(rules.get_rule(session, rule_id))


@router.delete("/book/rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_rule(rule_id: int, principal: Caller, session: Db) -> Response:
    """Delete a rule; the accounts it assigned keep their owners."""
    allow(principal, "manage_book")
    with _answers():
        rules.delete_rule(session, rule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/book/assign")
def assign_now(principal: Caller, session: Db, body: Accounts = None) -> TenureJSON:
    """Give the unowned accounts (or the given ones, if unowned) owners by rule now."""
    allow(principal, "manage_book")
    with _answers():
        result = assign.assign_new_accounts(session, _account_ids(session, body))
    return TenureJSON({**result.details(), "rows": result.rows()})


@router.post("/book/reassign/preview")
def preview_reassignment(
    spec: Reassignment, principal: Caller, session: Db
) -> TenureJSON:
    """Each account that would move, from whom to whom, MRR, tasks; and totals."""
    allow(principal, "manage_book")
    with _answers():
        preview = reassign.preview_reassignment(session, principal, spec)
    return TenureJSON(preview.details())


@router.post("/book/reassign")
def apply_reassignment(
    spec: Reassignment, principal: Caller, session: Db
) -> TenureJSON:
    """Apply a previewed reassignment: send its ``moves`` back as ``expected``."""
    allow(principal, "manage_book")
    with _answers():
        result = reassign.reassign(session, principal, spec)
    return TenureJSON(result.details())
