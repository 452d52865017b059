"""What every API route needs: the caller, a database session, JSON with decimals."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from tenure.auth import service as auth
from tenure.auth.scope import Forbidden, Principal, can, principal_for
from tenure.values import json_default
from tenure.web.context import db
from tenure.web.signin import session_token

log = logging.getLogger(__name__)


class TenureJSON(JSONResponse):
    """JSON with decimals as numbers (exact as written) and dates as YYYY-MM-DD."""

    def render(self, content: Any) -> bytes:
        """Encode ``content`` as UTF-8 JSON."""
        return json.dumps(content, default=json_default, ensure_ascii=False).encode()


def database() -> Iterator[Session]:
    """Yield a session for one request: committed if the route succeeds."""
    with db() as session:
        yield session


Db = Annotated[Session, Depends(database)]


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"}
    )


def caller(request: Request, session: Db) -> Principal:
    """Return the caller: an API key (``Authorization: Bearer``) or a signed-in user."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise _unauthorized("the Authorization header must be 'Bearer <API key>'")
        user = auth.resolve_api_key(session, key.strip())
        if user is None:
            raise _unauthorized("the API key is unknown, revoked or its user disabled")
        return principal_for(user)
    token = session_token()
    user = auth.resolve_session(session, token) if token else None
    if user is None:
        raise _unauthorized("sign in or send 'Authorization: Bearer <API key>'")
    return principal_for(user)


Caller = Annotated[Principal, Depends(caller)]


def allow(principal: Principal, action: str) -> None:
    """Refuse with 403 unless ``principal`` may do ``action``."""
    if not can(principal, action):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"the role '{principal.role}' may not {action.replace('_', ' ')}",
        )


def unprocessable(message: str) -> HTTPException:
    """Return a 422 naming what was wrong with the request."""
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, message)


def not_found(message: str) -> HTTPException:
    """Return a 404 with ``message``."""
    return HTTPException(status.HTTP_404_NOT_FOUND, message)


ErrorTypes = tuple[type[Exception], ...]


@contextmanager
def answering(
    *,
    missing: ErrorTypes = (),
    conflicts: ErrorTypes = (),
    invalid: ErrorTypes = (),
) -> Iterator[None]:
    """Turn an area's errors into 403 (Forbidden), 404, 409 and 422 responses.

    The kinds are tried in that order, so a more specific error (a "not found"
    that is also a validation error, say) is listed under the earlier kind.
    """
    try:
        yield
    except Forbidden as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from None
    except missing as exc:
        raise not_found(str(exc)) from None
    except conflicts as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    except invalid as exc:
        raise unprocessable(str(exc)) from None
