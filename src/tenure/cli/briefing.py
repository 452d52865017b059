"""``tenure briefing``: preview, send now, see what went out, manage subscriptions.

``send`` claims a briefing as the scheduler would (origin "manual"), so a briefing
already sent for that user and date is never sent twice, whoever sends it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated

import typer
from sqlalchemy.orm import Session, sessionmaker

from tenure.briefing import render
from tenure.briefing.content import build_briefing
from tenure.briefing.delivery import ManualSend, send_now
from tenure.briefing.history import COLUMNS, deliveries_on
from tenure.briefing.models import WEBHOOK_KINDS
from tenure.briefing.preferences import (
    PreferenceError,
    Subscriber,
    add_webhook,
    subscribe,
    subscribers,
    unsubscribe,
    user_zone,
)
from tenure.cli.context import database, ensure_schema, fail
from tenure.cli.output import Format
from tenure.cli.output import render as render_rows
from tenure.db.base import utcnow
from tenure.db.session import make_engine, make_session_factory
from tenure.revenue.loading import today
from tenure.settings import service as settings
from tenure.staff.models import StaffUser
from tenure.staff.service import user_by_email

log = logging.getLogger(__name__)

briefing_app = typer.Typer(
    help="Preview and send the daily briefing; manage who gets it.",
    no_args_is_help=True,
)

UserOption = Annotated[str, typer.Option("--user", help="The staff user's email")]
DateOption = Annotated[
    dt.datetime | None,
    typer.Option("--date", formats=["%Y-%m-%d"], help="Local date (YYYY-MM-DD)"),
]


class Rendering(StrEnum):
    """How ``preview`` prints the briefing."""

    text = "text"
    html = "html"
    markdown = "markdown"


@contextmanager
def _factory() -> Iterator[sessionmaker[Session]]:
    """A session factory on the configured database, for work in several steps."""
    url = settings.database_url()
    try:
        ensure_schema(url)
    except Exception as exc:
        raise fail(f"cannot open database {url}: {exc}", 2) from None
    engine = make_engine(url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


def _user(session: Session, email: str) -> StaffUser:
    found = user_by_email(session, email)
    if found is None:
        raise fail(f"--user: no active staff user '{email}'", 2)
    return found


@briefing_app.command("preview")
def preview(
    user: UserOption,
    day: DateOption = None,
    fmt: Annotated[Rendering, typer.Option("--format")] = Rendering.text,
) -> None:
    """Print a user's briefing for a date (default: their today); nothing is sent."""
    with database() as session:
        found = _user(session, user)
        zone = user_zone(session, found)
        local = day.date() if day else utcnow().astimezone(zone).date()
        doc = build_briefing(session, found, local)
        base_url = settings.get(session, "public_url")
        session.rollback()
    if fmt is Rendering.html:
        typer.echo(render.render_html(doc, base_url))
    elif fmt is Rendering.markdown:
        typer.echo(render.render_markdown(doc, base_url))
    else:
        typer.echo(render.render_text(doc, base_url), nl=False)


def _report(sub: Subscriber, day: dt.date, sent: ManualSend) -> bool:
    """Print how a manual send went; True if every channel took the briefing."""
    who = f"{sub.user.email} {day}"
    if sent.already_sent:
        typer.echo(f"{who}: already sent; not sent again")
        return True
    if sent.claimed and not sent.unsent:
        typer.echo(f"{who}: no channel is chosen; nothing to send")
    ok = True
    for outcome in sent.outcomes:
        if outcome.status == "sent":
            typer.echo(f"{who} {outcome.channel}: sent")
            continue
        ok = False
        retry = " (tried again later)" if outcome.status == "pending" else ""
        typer.echo(f"{who} {outcome.channel}: {outcome.error}{retry}", err=True)
    busy = sent.unsent - len(sent.outcomes)
    if busy:
        typer.echo(f"{who}: {busy} channel(s) being sent by another process")
    return ok


@briefing_app.command("send")
def send(
    user: Annotated[
        str | None, typer.Option("--user", help="Only this user (default: everyone)")
    ] = None,
    day: DateOption = None,
) -> None:
    """Send the briefing now to subscribers (default date: each one's today)."""
    now = utcnow()
    with _factory() as factory:
        with factory() as session:
            wanted = None if user is None else [_user(session, user).id]
            subs = subscribers(session, wanted)
        if user is not None and not subs:
            raise fail(
                f"--user: {user} is not subscribed "
                f"(tenure briefing subscribe --user {user})",
                2,
            )
        ok = True
        for sub in subs:
            local = day.date() if day else now.astimezone(sub.zone).date()
            ok = _report(sub, local, send_now(factory, sub, local, now)) and ok
    if not subs:
        typer.echo("nobody is subscribed")
    if not ok:
        raise typer.Exit(1)


@briefing_app.command("status")
def status(
    day: DateOption = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """The briefings of a date (default: the company's today) and their deliveries."""
    with database() as session:
        rows = deliveries_on(session, day.date() if day else today(session))
    typer.echo(render_rows(rows, fmt, COLUMNS))


@briefing_app.command("subscribe")
def subscribe_user(
    user: UserOption,
    time: Annotated[
        str | None, typer.Option("--time", help="Local send time HH:MM")
    ] = None,
    no_email: Annotated[bool, typer.Option("--no-email", help="No email")] = False,
    no_in_app: Annotated[
        bool, typer.Option("--no-in-app", help="No in-app notification")
    ] = False,
) -> None:
    """Subscribe a user to the daily briefing."""
    with database() as session:
        found = _user(session, user)
        try:
            pref = subscribe(
                session,
                found.id,
                send_time=time,
                email=not no_email,
                in_app=not no_in_app,
            )
        except PreferenceError as exc:
            raise fail(f"--time: {exc}", 2) from None
        zone = user_zone(session, found)
        channels = [
            c for c, on in (("email", pref.email), ("in-app", pref.in_app)) if on
        ]
    typer.echo(
        f"{found.email} subscribed at {pref.send_time} {zone.key} "
        f"({', '.join(channels) or 'webhooks only'})"
    )


@briefing_app.command("unsubscribe")
def unsubscribe_user(user: UserOption) -> None:
    """Stop a user's daily briefing."""
    with database() as session:
        stopped = unsubscribe(session, _user(session, user).id)
    typer.echo(f"{user} unsubscribed" if stopped else f"{user} was not subscribed")


@briefing_app.command("webhook-add")
def webhook_add(
    user: UserOption,
    kind: Annotated[str, typer.Option("--kind", help=", ".join(WEBHOOK_KINDS))],
    url: Annotated[str, typer.Option("--url", help="The robot's webhook address")],
    secret: Annotated[
        str | None, typer.Option("--secret", help="Signing secret (DingTalk, Feishu)")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="A name for it")] = None,
) -> None:
    """Add a chat robot webhook to a user's briefing."""
    with database() as session:
        found = _user(session, user)
        try:
            hook = add_webhook(
                session, found.id, kind=kind, url=url, name=name, secret=secret
            )
        except PreferenceError as exc:
            raise fail(f"--{exc.field}: {exc}", 2) from None
        typer.echo(f"webhook {hook.id} ({hook.kind}, {hook.name}) added for {user}")
