"""Who is signed in: the session token kept in NiceGUI's per-browser user storage.

The browser holds only NiceGUI's signed session cookie; the token lives on the
server and is checked against the ``auth_session`` table on every page and API call,
so signing out, expiry, disabling a user and password changes take effect at once.
The same session serves the pages and the JSON API.
"""

from __future__ import annotations

import logging

from nicegui import app

from tenure.auth import service as auth
from tenure.auth.scope import Principal, principal_for
from tenure.web.context import db, factory

log = logging.getLogger(__name__)

TOKEN_KEY = "tenure_session"


def session_token() -> str | None:
    """Return the session token of the current browser, if it signed in."""
    token = app.storage.user.get(TOKEN_KEY)
    return token if isinstance(token, str) else None


def current_principal() -> Principal | None:
    """Return the signed-in staff user of the current browser, if any."""
    token = session_token()
    if token is None:
        return None
    with db() as session:
        user = auth.resolve_session(session, token)
        return principal_for(user) if user is not None else None


def sign_in(email: str, password: str) -> Principal:
    """Check the credentials and start a session in this browser.

    Raises ``AuthError``; a failed attempt is still recorded (it counts towards
    the lockout).
    """
    session = factory()()
    try:
        user = auth.authenticate(session, email.strip(), password)
        token = auth.start_session(session, user)
        principal = principal_for(user)
        session.commit()
    except auth.AuthError:
        session.commit()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    app.storage.user[TOKEN_KEY] = token
    log.info("%s signed in", principal.email)
    return principal


def sign_out() -> None:
    """End this browser's session."""
    token = session_token()
    if token is not None:
        with db() as session:
            auth.end_session(session, token)
    app.storage.user.pop(TOKEN_KEY, None)
