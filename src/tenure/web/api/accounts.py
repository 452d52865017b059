"""Customers: the filtered, paged list, its export, filter values and the 360 view."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from tenure.accounts import service as accounts
from tenure.auth.scope import Principal, owner_scope
from tenure.web.api.deps import Caller, Db, TenureJSON, not_found, unprocessable

log = logging.getLogger(__name__)

router = APIRouter(tags=["accounts"], default_response_class=TenureJSON)

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def account_query(
    search: Annotated[str | None, Query(description="Part of the id or name")] = None,
    industry: str | None = None,
    region: str | None = None,
    tier: str | None = None,
    owner: Annotated[str | None, Query(description="Owner's email")] = None,
    plan: str | None = None,
    status: Annotated[
        str | None, Query(description=f"One of {', '.join(accounts.STATUSES)}")
    ] = None,
    tag: str | None = None,
    segment: Annotated[
        str | None, Query(description="A saved segment's key (members today)")
    ] = None,
    sort: Annotated[
        str, Query(description=f"One of {', '.join(accounts.SORT_FIELDS)}")
    ] = "name",
    descending: bool = False,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> accounts.AccountQuery:
    """Read the list's filters, sort and page from the query string."""
    return accounts.AccountQuery(
        search=search or None,
        industry=industry,
        region=region,
        tier=tier,
        owner=owner,
        plan=plan,
        status=status,
        tag=tag,
        segment=segment,
        sort=sort,
        descending=descending,
        page=page,
        page_size=page_size,
    )


Filters = Annotated[accounts.AccountQuery, Depends(account_query)]


def _owners(session: Session, principal: Principal) -> frozenset[int] | None:
    return owner_scope(session, principal)


@router.get("/accounts")
def list_accounts(principal: Caller, session: Db, query: Filters) -> TenureJSON:
    """One page of the customers the caller may see, filtered and sorted."""
    try:
        page = accounts.list_accounts(session, query, _owners(session, principal))
    except accounts.QueryError as exc:
        raise unprocessable(str(exc)) from None
    return TenureJSON(
        {
            "total": page.total,
            "page": page.page,
            "page_size": page.page_size,
            "rows": page.rows,
        }
    )


@router.get("/accounts/filters")
def filter_options(principal: Caller, session: Db) -> dict[str, list[str]]:
    """The values each list filter can take, within the caller's scope."""
    return accounts.filter_options(session, _owners(session, principal))


@router.get(
    "/accounts/export",
    response_class=Response,
    responses={200: {"content": {media: {} for media in MEDIA_TYPES.values()}}},
)
def export(
    principal: Caller,
    session: Db,
    query: Filters,
    format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "csv",
) -> Response:
    """Every customer of the filtered list (all pages), as CSV or XLSX."""
    try:
        body = accounts.export_accounts(
            session, query, _owners(session, principal), format
        )
    except accounts.QueryError as exc:
        raise unprocessable(str(exc)) from None
    return Response(
        body,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="customers.{format}"'},
    )


@router.get("/accounts/{account_id}")
def account(account_id: str, principal: Caller, session: Db) -> TenureJSON:
    """One customer's 360: profile, billing, MRR history, movements, renewals."""
    try:
        return TenureJSON(
            accounts.account_detail(session, account_id, _owners(session, principal))
        )
    except accounts.NotFound:
        raise not_found(f"no account '{account_id}'") from None
