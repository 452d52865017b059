"""Briefing preferences and webhooks: checked values, defaults, who is subscribed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tenure.briefing.preferences import (
    PreferenceError,
    WebhookNotFound,
    add_webhook,
    get_webhook,
    list_webhooks,
    masked_url,
    parse_send_time,
    set_preference,
    subscribe,
    subscribers,
    unsubscribe,
)
from tenure.settings.service import set_value
from tenure.staff.models import StaffUser

LONG_AGO = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def prefs_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session on the test's backend in Shanghai's zone; rolled back after."""
    with factory() as opened:
        set_value(opened, "timezone", "Asia/Shanghai")
        yield opened
        opened.rollback()


def person(session: Session, email: str, zone: str | None = None) -> StaffUser:
    """An active staff user."""
    user = StaffUser(email=email, name=email.split("@")[0], timezone=zone)
    session.add(user)
    session.flush()
    return user


@pytest.mark.parametrize("text", ["25:00", "08:60", "0830", "", "8.30"])
def test_a_send_time_that_is_not_a_time_of_day_is_named(text: str) -> None:
    with pytest.raises(PreferenceError) as refused:
        parse_send_time(text)
    assert refused.value.field == "send_time"
    assert str(refused.value) == f"send_time {text!r}: is not a time of day like 08:30"


def test_a_send_time_may_leave_out_the_leading_zero() -> None:
    assert parse_send_time("7:05") == dt.time(7, 5)
    assert parse_send_time(" 23:59 ") == dt.time(23, 59)


def test_a_new_preference_sends_at_the_company_time_by_every_channel(
    prefs_session: Session,
) -> None:
    set_value(prefs_session, "briefing_time", "07:15")
    user = person(prefs_session, "a@example.com")

    pref = set_preference(prefs_session, user.id)

    assert (pref.enabled, pref.send_time, pref.email, pref.in_app) == (
        True,
        "07:15",
        True,
        True,
    )


def test_subscribing_again_starts_the_subscription_anew(
    prefs_session: Session,
) -> None:
    user = person(prefs_session, "a@example.com")
    pref = subscribe(prefs_session, user.id, send_time="09:00")
    pref.subscribed_at = LONG_AGO

    set_preference(prefs_session, user.id, email=False)
    assert pref.subscribed_at == LONG_AGO
    assert unsubscribe(prefs_session, user.id)
    assert not unsubscribe(prefs_session, user.id)
    subscribe(prefs_session, user.id)

    assert pref.enabled and pref.subscribed_at > LONG_AGO
    assert (pref.send_time, pref.email) == ("09:00", True)


def test_subscribers_are_the_enabled_active_users_with_their_zone_and_webhooks(
    prefs_session: Session,
) -> None:
    berlin = person(prefs_session, "b@example.com", "Europe/Berlin")
    company = person(prefs_session, "c@example.com")
    odd = person(prefs_session, "o@example.com", "Mars/Olympus")
    off = person(prefs_session, "off@example.com")
    gone = person(prefs_session, "gone@example.com")
    for user in (berlin, company, odd, off, gone):
        subscribe(prefs_session, user.id)
    unsubscribe(prefs_session, off.id)
    gone.is_active = False
    hook = add_webhook(
        prefs_session, berlin.id, kind="slack", url="https://hooks.slack.com/x"
    )
    unused = add_webhook(
        prefs_session, berlin.id, kind="wecom", url="https://qyapi.weixin.qq.com/y"
    )
    unused.active = False

    found = {s.user.email: s for s in subscribers(prefs_session)}

    assert sorted(found) == ["b@example.com", "c@example.com", "o@example.com"]
    assert found["b@example.com"].zone.key == "Europe/Berlin"
    assert found["b@example.com"].webhook_ids == (hook.id,)
    assert found["c@example.com"].zone.key == "Asia/Shanghai"
    assert found["o@example.com"].zone.key == "Asia/Shanghai"
    assert found["c@example.com"].send_time == dt.time(8, 30)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "teams", "url": "https://x.example"},
         "kind 'teams': must be one of wecom, dingtalk, feishu, slack"),
        ({"kind": "slack", "url": "hooks.slack.com/x"},
         "url 'hooks.slack.com/x': is not an http:// or https:// address"),
        ({"kind": "slack", "url": "javascript:alert(1)"},
         "url 'javascript:alert(1)': is not an http:// or https:// address"),
        ({"kind": "slack", "url": "https://x.example", "name": "n" * 201},
         "is longer than 200 characters"),
    ],
)  # fmt: skip
def test_a_webhook_with_a_bad_value_is_refused_naming_it(
    prefs_session: Session, fields: dict[str, str], message: str
) -> None:
    user = person(prefs_session, "a@example.com")
    with pytest.raises(PreferenceError, match=re.escape(message)):
        add_webhook(prefs_session, user.id, **fields)
    assert list_webhooks(prefs_session, user.id) == []


def test_a_webhook_is_named_after_its_platform_unless_named(
    prefs_session: Session,
) -> None:
    user = person(prefs_session, "a@example.com")
    hook = add_webhook(
        prefs_session, user.id, kind="feishu", url=" https://open.feishu.cn/h ",
        secret="  ",
    )  # fmt: skip
    assert (hook.name, hook.url, hook.secret) == (
        "Feishu",
        "https://open.feishu.cn/h",
        None,
    )


def test_another_user_s_webhook_is_not_found(prefs_session: Session) -> None:
    owner = person(prefs_session, "a@example.com")
    other = person(prefs_session, "b@example.com")
    hook = add_webhook(prefs_session, owner.id, kind="slack", url="https://s.x/1")
    with pytest.raises(WebhookNotFound, match=f"webhook {hook.id} not found"):
        get_webhook(prefs_session, other.id, hook.id)


def test_a_webhook_address_is_shown_without_its_token() -> None:
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=73febdcb-1b38-4d1b"
    assert masked_url(url) == "https://qyapi.weixin.qq.com/…4d1b"
    assert "73febdcb" not in masked_url(url)
