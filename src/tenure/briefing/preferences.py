"""Who gets the daily briefing, when, and through which channels and webhooks.

A preference row with ``enabled`` on an active user is a subscription. Its
``subscribed_at`` is the moment the current subscription began: turning a preference
back on moves it to that moment, so a briefing is never sent for days before
someone (re)subscribed.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import zoneinfo
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.briefing.models import WEBHOOK_KINDS, BriefingPreference, ChatWebhook
from tenure.db.base import utcnow
from tenure.settings import service as settings
from tenure.staff.models import StaffUser

log = logging.getLogger(__name__)

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
KIND_NAMES = {
    "wecom": "WeCom",
    "dingtalk": "DingTalk",
    "feishu": "Feishu",
    "slack": "Slack",
}


class PreferenceError(ValueError):
    """A preference or webhook value that is not allowed, naming field and value."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        super().__init__(f"{field} {value!r}: {reason}")
        self.field = field
        self.value = value


class WebhookNotFound(LookupError):
    """No webhook with that id belongs to the user."""


@dataclass(frozen=True)
class Subscriber:
    """A subscribed user with the time and zone their briefing goes out in."""

    user: StaffUser
    preference: BriefingPreference
    send_time: dt.time
    zone: zoneinfo.ZoneInfo
    webhook_ids: tuple[int, ...]

    @property
    def since(self) -> dt.datetime:
        """When the current subscription began."""
        return self.preference.subscribed_at


def parse_send_time(text: str) -> dt.time:
    """Parse "HH:MM" (24-hour) or raise a PreferenceError naming send_time."""
    match = _TIME.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise PreferenceError("send_time", text, "is not a time of day like 08:30")
    return dt.time(int(match.group(1)), int(match.group(2)))


def check_webhook_url(url: str) -> str:
    """Return ``url`` stripped if it is an http(s) address, else a PreferenceError."""
    value = url.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PreferenceError("url", url, "is not an http:// or https:// address")
    if len(value) > 1000:
        raise PreferenceError("url", url[:40] + "…", "is longer than 1000 characters")
    return value


def masked_url(url: str) -> str:
    """The webhook address with its token hidden, for showing on pages and the API."""
    parts = urlsplit(url)
    tail = url[-4:] if len(url) > 24 else ""
    return f"{parts.scheme}://{parts.netloc}/…{tail}"


def user_zone(
    session: Session, user: StaffUser, company: str | None = None
) -> zoneinfo.ZoneInfo:
    """The user's time zone, else the company's (``company``, read if not given)."""
    if user.timezone:
        try:
            return zoneinfo.ZoneInfo(user.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            log.warning(
                "user %s has an unknown time zone %r; the company's is used",
                user.email,
                user.timezone,
            )
    return zoneinfo.ZoneInfo(company or settings.get(session, "timezone"))


def get_preference(session: Session, user_id: int) -> BriefingPreference | None:
    """The user's preference row, if they ever set one."""
    return session.get(BriefingPreference, user_id)


def set_preference(
    session: Session,
    user_id: int,
    *,
    enabled: bool | None = None,
    send_time: str | None = None,
    email: bool | None = None,
    in_app: bool | None = None,
) -> BriefingPreference:
    """Create or change a user's preference; fields left None keep their value.

    A new preference is enabled, sends at the company's briefing_time and uses
    email and in-app unless told otherwise.
    """
    if session.get(StaffUser, user_id) is None:
        raise PreferenceError("user_id", user_id, "is not a staff user")
    time_text = None
    if send_time is not None:
        time_text = parse_send_time(send_time).strftime("%H:%M")
    pref = session.get(BriefingPreference, user_id)
    now = utcnow()
    if pref is None:
        default_time = settings.get(session, "briefing_time")
        pref = BriefingPreference(
            user_id=user_id,
            enabled=True if enabled is None else enabled,
            send_time=time_text or default_time,
            email=True if email is None else email,
            in_app=True if in_app is None else in_app,
            subscribed_at=now,
        )
        session.add(pref)
        session.flush()
        log.info("briefing preference of user %d created", user_id)
        return pref
    if enabled and not pref.enabled:
        pref.subscribed_at = now
    for field, value in (
        ("enabled", enabled),
        ("send_time", time_text),
        ("email", email),
        ("in_app", in_app),
    ):
        if value is not None:
            setattr(pref, field, value)
    session.flush()
    log.info("briefing preference of user %d changed", user_id)
    return pref


def subscribe(
    session: Session,
    user_id: int,
    *,
    send_time: str | None = None,
    email: bool = True,
    in_app: bool = True,
) -> BriefingPreference:
    """Subscribe a user (again), with a send time and channels."""
    return set_preference(
        session, user_id, enabled=True, send_time=send_time, email=email, in_app=in_app
    )


def unsubscribe(session: Session, user_id: int) -> bool:
    """Stop a user's briefing, keeping their choices; False if not subscribed."""
    pref = session.get(BriefingPreference, user_id)
    if pref is None or not pref.enabled:
        return False
    pref.enabled = False
    session.flush()
    return True


def list_webhooks(session: Session, user_id: int) -> list[ChatWebhook]:
    """The user's webhooks, oldest first."""
    query = (
        select(ChatWebhook)
        .where(ChatWebhook.user_id == user_id)
        .order_by(ChatWebhook.id)
    )
    return list(session.scalars(query))


def get_webhook(session: Session, user_id: int, webhook_id: int) -> ChatWebhook:
    """The user's webhook ``webhook_id``; another user's is not found."""
    hook = session.get(ChatWebhook, webhook_id)
    if hook is None or hook.user_id != user_id:
        raise WebhookNotFound(f"webhook {webhook_id} not found")
    return hook


def add_webhook(
    session: Session,
    user_id: int,
    *,
    kind: str,
    url: str,
    name: str | None = None,
    secret: str | None = None,
) -> ChatWebhook:
    """Add a chat webhook to the user's briefing, after checking its values."""
    if kind not in WEBHOOK_KINDS:
        raise PreferenceError(
            "kind", kind, f"must be one of {', '.join(WEBHOOK_KINDS)}"
        )
    address = check_webhook_url(url)
    label = (name or "").strip() or KIND_NAMES[kind]
    if len(label) > 200:
        raise PreferenceError("name", label[:40] + "…", "is longer than 200 characters")
    key = (secret or "").strip() or None
    if key is not None and len(key) > 200:
        raise PreferenceError("secret", "…", "is longer than 200 characters")
    hook = ChatWebhook(
        user_id=user_id, kind=kind, name=label, url=address, secret=key, active=True
    )
    session.add(hook)
    session.flush()
    log.info("webhook %d (%s) added for user %d", hook.id, kind, user_id)
    return hook


def delete_webhook(session: Session, user_id: int, webhook_id: int) -> None:
    """Delete one of the user's webhooks; its past deliveries stay recorded."""
    session.delete(get_webhook(session, user_id, webhook_id))
    session.flush()


def subscribers(
    session: Session, user_ids: list[int] | None = None
) -> list[Subscriber]:
    """Every subscribed active user (or those of ``user_ids``), by user id."""
    query = (
        select(StaffUser, BriefingPreference)
        .join(BriefingPreference, BriefingPreference.user_id == StaffUser.id)
        .where(BriefingPreference.enabled.is_(True), StaffUser.is_active.is_(True))
        .order_by(StaffUser.id)
    )
    if user_ids is not None:
        query = query.where(StaffUser.id.in_(user_ids))
    rows = session.execute(query).all()
    hooks: dict[int, list[int]] = {}
    hook_query = select(ChatWebhook.user_id, ChatWebhook.id).where(
        ChatWebhook.active.is_(True)
    )
    for owner, hook_id in session.execute(hook_query.order_by(ChatWebhook.id)):
        hooks.setdefault(owner, []).append(hook_id)
    company = settings.get(session, "timezone")
    found = []
    for user, pref in rows:
        try:
            send_time = parse_send_time(pref.send_time)
        except PreferenceError:
            log.warning(
                "user %s: briefing send_time %r is not a time; not sent",
                user.email,
                pref.send_time,
            )
            continue
        zone = user_zone(session, user, company)
        found.append(
            Subscriber(user, pref, send_time, zone, tuple(hooks.get(user.id, ())))
        )
    return found


def describe(session: Session, user: StaffUser) -> dict[str, Any]:
    """The user's preference as shown on pages and the API (defaults if unset)."""
    pref = session.get(BriefingPreference, user.id)
    zone = user_zone(session, user)
    if pref is None:
        return {
            "enabled": False,
            "send_time": settings.get(session, "briefing_time"),
            "email": True,
            "in_app": True,
            "timezone": zone.key,
            "since": None,
        }
    return {
        "enabled": pref.enabled,
        "send_time": pref.send_time,
        "email": pref.email,
        "in_app": pref.in_app,
        "timezone": zone.key,
        "since": pref.subscribed_at if pref.enabled else None,
    }


def webhook_row(hook: ChatWebhook) -> dict[str, Any]:
    """A webhook as shown: its address masked and its secret never shown."""
    return {
        "id": hook.id,
        "kind": hook.kind,
        "name": hook.name,
        "url": masked_url(hook.url),
        "signed": hook.secret is not None,
        "active": hook.active,
    }
