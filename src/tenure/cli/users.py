"""The ``tenure user`` and ``tenure apikey`` commands: staff users and API keys."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from typing import Annotated, Any

import typer
from sqlalchemy import func, select

from tenure.auth import service as auth
from tenure.auth.models import AuthSession
from tenure.auth.passwords import PasswordPolicyError
from tenure.cli.context import database, fail
from tenure.cli.output import Format, render
from tenure.db.base import utcnow
from tenure.staff.models import ROLES, Team

log = logging.getLogger(__name__)

USER_COLUMNS = (
    "email",
    "name",
    "role",
    "team",
    "active",
    "locked_until",
    "last_sign_in",
)
API_KEY_COLUMNS = (
    "id",
    "user",
    "name",
    "prefix",
    "created_at",
    "last_used_at",
    "revoked",
)

user_app = typer.Typer(help="Create and manage staff users.", no_args_is_help=True)
apikey_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)


def read_password() -> str:
    """Read a new password: prompted twice on a terminal, else stdin's first line."""
    if sys.stdin.isatty():
        password: str = typer.prompt(
            "Password", hide_input=True, confirmation_prompt=True
        )
    else:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    if not password:
        raise fail("no password given (type it, or pipe it in on standard input)")
    return password


def _stamp(value: dt.datetime | None) -> str | None:
    """Show a timestamp to the second in UTC."""
    return None if value is None else value.isoformat(timespec="seconds")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Argument(help="Email address, used to sign in")],
    name: Annotated[str, typer.Option("--name", help="Full name")],
    role: Annotated[str, typer.Option("--role", help=f"One of {', '.join(ROLES)}")],
    team: Annotated[
        str | None, typer.Option("--team", help="Team name; created if missing")
    ] = None,
) -> None:
    """Create a staff user; the password is read from standard input."""
    password = read_password()
    with database() as session:
        try:
            user = auth.create_user(session, email, name, role, password, team)
        except (auth.UserError, PasswordPolicyError) as exc:
            raise fail(str(exc)) from None
        message = f"created user {user.email} ({user.role})"
    typer.echo(message)


@user_app.command("list")
def user_list(
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """List staff users with their role, team, state and last sign-in."""
    with database() as session:
        teams = {row[0]: row[1] for row in session.execute(select(Team.id, Team.name))}
        newest = select(AuthSession.user_id, func.max(AuthSession.created_at))
        last_sign_in = {
            row[0]: row[1]
            for row in session.execute(newest.group_by(AuthSession.user_id))
        }
        now = utcnow()
        rows: list[dict[str, Any]] = [
            {
                "email": user.email,
                "name": user.name,
                "role": user.role,
                "team": teams.get(user.team_id) if user.team_id else None,
                "active": user.is_active,
                "locked_until": _stamp(user.locked_until)
                if user.locked_until and user.locked_until > now
                else None,
                "last_sign_in": _stamp(last_sign_in.get(user.id)),
            }
            for user in auth.list_users(session)
        ]
    typer.echo(render(rows, fmt, USER_COLUMNS))


@user_app.command("set-role")
def user_set_role(
    email: str,
    role: Annotated[str, typer.Argument(help=f"One of {', '.join(ROLES)}")],
) -> None:
    """Give a staff user another role."""
    with database() as session:
        try:
            user = auth.set_role(session, email, role)
        except auth.UserError as exc:
            raise fail(str(exc)) from None
        message = f"{user.email} is now {user.role}"
    typer.echo(message)


@user_app.command("disable")
def user_disable(email: str) -> None:
    """Disable a staff user: no sign-in, sessions and API keys revoked."""
    with database() as session:
        try:
            user = auth.disable_user(session, email)
        except auth.UserError as exc:
            raise fail(str(exc)) from None
        message = f"disabled {user.email}"
    typer.echo(message)


@user_app.command("enable")
def user_enable(email: str) -> None:
    """Enable a disabled staff user again."""
    with database() as session:
        try:
            user = auth.enable_user(session, email)
        except auth.UserError as exc:
            raise fail(str(exc)) from None
        message = f"enabled {user.email}"
    typer.echo(message)


@user_app.command("set-password")
def user_set_password(email: str) -> None:
    """Set a staff user's password from standard input; signs them out everywhere."""
    password = read_password()
    with database() as session:
        try:
            user = auth.get_user(session, email)
            auth.set_password(session, user, password)
        except (auth.UserError, PasswordPolicyError) as exc:
            raise fail(str(exc)) from None
        message = f"password set for {user.email}"
    typer.echo(message)


@apikey_app.command("create")
def apikey_create(
    user: Annotated[str, typer.Option("--user", help="Email of the key's owner")],
    name: Annotated[str, typer.Option("--name", help="What the key is for")] = (
        "default"
    ),
) -> None:
    """Create an API key and print it; it cannot be shown again."""
    with database() as session:
        try:
            owner = auth.get_user(session, user)
            raw, key = auth.create_api_key(session, owner, name)
        except auth.UserError as exc:
            raise fail(str(exc)) from None
        note = (
            f"API key {key.id} '{key.name}' for {owner.email}; "
            "store it now, it will not be shown again"
        )
    typer.echo(raw)
    typer.echo(note, err=True)


@apikey_app.command("list")
def apikey_list(
    user: Annotated[
        str | None, typer.Option("--user", help="Only this user's keys")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """List API keys (never the keys themselves, only their first characters)."""
    with database() as session:
        try:
            owner = auth.get_user(session, user) if user is not None else None
        except auth.UserError as exc:
            raise fail(str(exc)) from None
        rows: list[dict[str, Any]] = [
            {
                "id": key.id,
                "user": key.user.email,
                "name": key.name,
                "prefix": key.prefix,
                "created_at": _stamp(key.created_at),
                "last_used_at": _stamp(key.last_used_at),
                "revoked": key.revoked_at is not None,
            }
            for key in auth.list_api_keys(session, owner)
        ]
    typer.echo(render(rows, fmt, API_KEY_COLUMNS))


@apikey_app.command("revoke")
def apikey_revoke(key_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Revoke an API key by its id (see ``tenure apikey list``)."""
    with database() as session:
        try:
            key = auth.revoke_api_key(session, key_id)
        except auth.UserError as exc:
            raise fail(str(exc)) from None
        message = f"revoked API key {key.id} ({key.prefix}...)"
    typer.echo(message)
