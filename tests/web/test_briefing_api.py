"""The briefing API per endpoint and role, and the briefing card on My account.

The API tests run over the demo company on SQLite and PostgreSQL, the card with the
simulated user on SQLite. Whatever a test changes (preferences, webhooks,
briefings, notifications) is put back afterwards; chat robots are a local receiver.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from nicegui.testing import User
from sqlalchemy import delete, func, select

from tenure.briefing.models import (
    Briefing,
    BriefingDelivery,
    BriefingPreference,
    ChatWebhook,
)
from tenure.db.base import utcnow
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.notifications.models import Notification
from tenure.staff.models import StaffUser
from tenure.staff.service import set_locale
from tests.briefing.conftest import DeliveryReceiver, delivery_receiver
from tests.web.conftest import WebData, sign_in
from tests.web.test_api import bearer, db_session

__all__ = ["delivery_receiver"]

pytestmark = pytest.mark.anyio

NEEDS_A_CALLER = (
    ("GET", "/api/v1/me/briefing"),
    ("PUT", "/api/v1/me/briefing"),
    ("GET", "/api/v1/me/webhooks"),
    ("POST", "/api/v1/me/webhooks"),
    ("DELETE", "/api/v1/me/webhooks/1"),
    ("POST", "/api/v1/me/webhooks/1/test"),
    ("GET", "/api/v1/me/briefing/preview"),
    ("GET", "/api/v1/briefings"),
)
PREFERENCE_FIELDS = ("user_id", "enabled", "send_time", "email", "in_app",
                     "subscribed_at", "created_at", "updated_at")  # fmt: skip


def _restore(data: WebData) -> Iterator[None]:
    engine = make_engine(data.url)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as session:
            kept = [
                {f: getattr(p, f) for f in PREFERENCE_FIELDS}
                for p in session.scalars(select(BriefingPreference))
            ]
            newest = {
                model: session.scalar(select(func.max(model.id))) or 0
                for model in (ChatWebhook, Briefing, Notification)
            }
            locales = dict(
                session.execute(select(StaffUser.id, StaffUser.locale)).all()
            )
        yield
        with transaction(factory) as session:
            session.execute(delete(BriefingDelivery))
            for model, before in newest.items():
                session.execute(delete(model).where(model.id > before))
            session.execute(delete(BriefingPreference))
            session.add_all(BriefingPreference(**row) for row in kept)
            for user_id, locale in locales.items():
                session.get_one(StaffUser, user_id).locale = locale
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def restored(request: pytest.FixtureRequest) -> Iterator[None]:
    """Put the demo company's briefing rows back as they were (on the test's data)."""
    name = "web_data" if "web_data" in request.fixturenames else "web_sqlite"
    yield from _restore(request.getfixturevalue(name))


def staff_id(data: WebData, role: str) -> int:
    """The id of the role's login."""
    engine, tx = db_session(data)
    try:
        with tx as session:
            found = session.scalar(
                select(StaffUser.id).where(StaffUser.email == data.logins[role])
            )
            assert found is not None
            return found
    finally:
        engine.dispose()


async def test_every_briefing_endpoint_needs_a_caller(
    client: httpx.AsyncClient,
) -> None:
    for method, path in NEEDS_A_CALLER:
        response = await client.request(method, path)
        assert response.status_code == 401, path


@pytest.mark.parametrize("role", ["admin", "executive", "manager", "csm", "viewer"])
async def test_every_role_reads_and_changes_its_own_preference(
    client: httpx.AsyncClient, web_data: WebData, role: str
) -> None:
    headers = bearer(web_data, role)

    shown = (await client.get("/api/v1/me/briefing", headers=headers)).json()
    changed = await client.put(
        "/api/v1/me/briefing",
        json={"enabled": True, "send_time": "7:45", "in_app": False},
        headers=headers,
    )

    assert set(shown) == {"enabled", "send_time", "email", "in_app", "timezone",
                          "since"}  # fmt: skip
    assert changed.status_code == 200
    body = changed.json()
    assert (body["enabled"], body["send_time"], body["in_app"]) == (
        True,
        "07:45",
        False,
    )
    assert body["email"] == shown["email"] and body["since"] is not None


async def test_the_demo_subscribes_leaders_and_csms_but_not_viewers(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    for role, subscribed in (("executive", True), ("manager", True), ("csm", True),
                             ("viewer", False), ("admin", False)):  # fmt: skip
        shown = (
            await client.get("/api/v1/me/briefing", headers=bearer(web_data, role))
        ).json()
        assert (shown["enabled"], shown["send_time"]) == (subscribed, "08:30"), role


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"send_time": "25:00"}, "send_time '25:00': is not a time of day like 08:30"),
        ({"send_time": ""}, "send_time '': is not a time of day like 08:30"),
    ],
)
async def test_a_bad_send_time_is_a_422_naming_it(
    client: httpx.AsyncClient, web_data: WebData, change: dict[str, str], message: str
) -> None:
    response = await client.put(
        "/api/v1/me/briefing", json=change, headers=bearer(web_data, "csm")
    )
    assert response.status_code == 422 and response.json()["detail"] == message


async def test_an_unknown_preference_field_is_refused(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    response = await client.put(
        "/api/v1/me/briefing", json={"sms": True}, headers=bearer(web_data, "csm")
    )
    assert response.status_code == 422 and "sms" in response.text


@pytest.mark.parametrize(
    ("hook", "message"),
    [
        ({"kind": "teams", "url": "https://x.example/h"},
         "kind 'teams': must be one of wecom, dingtalk, feishu, slack"),
        ({"kind": "slack", "url": "ftp://x.example/h"},
         "url 'ftp://x.example/h': is not an http:// or https:// address"),
    ],
)  # fmt: skip
async def test_a_bad_webhook_is_a_422_naming_the_field_and_value(
    client: httpx.AsyncClient, web_data: WebData, hook: dict[str, str], message: str
) -> None:
    response = await client.post(
        "/api/v1/me/webhooks", json=hook, headers=bearer(web_data, "manager")
    )
    assert response.status_code == 422 and response.json()["detail"] == message


async def test_webhooks_are_the_caller_s_own_and_their_secrets_stay_hidden(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    mine, other = bearer(web_data, "csm"), bearer(web_data, "manager")
    url = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef"

    created = await client.post(
        "/api/v1/me/webhooks",
        json={"kind": "dingtalk", "url": url, "secret": "SECxyz", "name": "Team"},
        headers=mine,
    )
    hook = created.json()
    listed = (await client.get("/api/v1/me/webhooks", headers=mine)).json()
    theirs = (await client.get("/api/v1/me/webhooks", headers=other)).json()
    refused = await client.delete(f"/api/v1/me/webhooks/{hook['id']}", headers=other)
    untested = await client.post(
        f"/api/v1/me/webhooks/{hook['id']}/test", headers=other
    )
    deleted = await client.delete(f"/api/v1/me/webhooks/{hook['id']}", headers=mine)

    assert created.status_code == 201
    assert hook == {"id": hook["id"], "kind": "dingtalk", "name": "Team",
                    "url": "https://oapi.dingtalk.com/…cdef", "signed": True,
                    "active": True}  # fmt: skip
    assert listed == [hook] and hook not in theirs
    assert "SECxyz" not in created.text + str(listed)
    assert refused.status_code == 404 and untested.status_code == 404
    assert deleted.status_code == 204
    assert (await client.get("/api/v1/me/webhooks", headers=mine)).json() == []


async def test_the_test_button_posts_to_the_robot_and_reports_its_answer(
    client: httpx.AsyncClient, web_data: WebData, delivery_receiver: DeliveryReceiver
) -> None:
    headers = bearer(web_data, "executive")
    hook = (
        await client.post(
            "/api/v1/me/webhooks",
            json={"kind": "wecom", "url": delivery_receiver.url("/wecom")},
            headers=headers,
        )
    ).json()

    sent = await client.post(f"/api/v1/me/webhooks/{hook['id']}/test", headers=headers)
    delivery_receiver.replies.append(
        (200, '{"errcode": 93000, "errmsg": "invalid url"}')
    )
    refused = await client.post(
        f"/api/v1/me/webhooks/{hook['id']}/test", headers=headers
    )

    assert sent.json() == {"ok": True, "error": None}
    assert refused.json() == {"ok": False, "error": "WeCom errcode 93000: invalid url"}
    first = delivery_receiver.requests[0].body
    assert first["msgtype"] == "markdown" and "WeCom" in first["markdown"]["content"]


async def test_the_preview_is_the_caller_s_briefing_document(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    headers = bearer(web_data, "csm")
    response = await client.get(
        "/api/v1/me/briefing/preview?date=2026-12-04", headers=headers
    )
    bad = await client.get("/api/v1/me/briefing/preview?date=12/04", headers=headers)

    assert response.status_code == 200
    doc = response.json()
    assert (doc["user_id"], doc["date"], doc["scope"]) == (
        staff_id(web_data, "csm"),
        "2026-12-04",
        "book",
    )
    assert doc["link"] == "/m/briefing/2026-12-04" and doc["sections"]
    assert bad.status_code == 422


async def test_only_admins_list_what_went_out_on_a_date(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    csm = staff_id(web_data, "csm")
    day = dt.date(2030, 1, 2)
    engine, tx = db_session(web_data)
    try:
        with tx as session:
            briefing = Briefing(user_id=csm, briefing_date=day, scheduled_at=utcnow(),
                                content={})  # fmt: skip
            session.add(briefing)
            session.flush()
            session.add(BriefingDelivery(briefing_id=briefing.id, channel="email",
                                         status="failed", attempts=6,
                                         last_error="SMTP 550 no"))  # fmt: skip
    finally:
        engine.dispose()

    listed = await client.get(
        f"/api/v1/briefings?date={day}", headers=bearer(web_data, "admin")
    )
    refused = await client.get("/api/v1/briefings", headers=bearer(web_data, "manager"))

    assert listed.status_code == 200 and refused.status_code == 403
    (row,) = listed.json()["rows"]
    expected: dict[str, Any] = {"user": web_data.logins["csm"], "channel": "email",
                                "status": "failed", "attempts": 6,
                                "last_error": "SMTP 550 no"}  # fmt: skip
    assert {key: row[key] for key in expected} == expected


async def test_the_card_on_my_account_saves_the_preference_and_tests_a_webhook(
    user: User, web_sqlite: WebData, delivery_receiver: DeliveryReceiver
) -> None:
    email = web_sqlite.logins["csm"]
    engine, tx = db_session(web_sqlite)
    try:
        with tx as session:
            user_id = staff_id(web_sqlite, "csm")
            set_locale(session, user_id, "en")
    finally:
        engine.dispose()
    await sign_in(user, email, target="/me")
    await user.should_see("Daily briefing")
    await user.should_see(marker="briefing-preview")

    user.find(marker="briefing-time").clear().type("25:00")
    user.find(marker="briefing-save").click()
    await user.should_see("send_time '25:00': is not a time of day like 08:30")
    user.find(marker="briefing-time").clear().type("07:15")
    user.find(marker="briefing-save").click()
    await user.should_see("Briefing preferences saved")

    user.find(marker="webhook-name").type("Ops room")
    user.find(marker="webhook-url").type(delivery_receiver.url("/wecom"))
    user.find(marker="webhook-add").click()
    await user.should_see("Webhook added")
    await user.should_see("WeCom · Ops room")
    engine, tx = db_session(web_sqlite)
    try:
        with tx as session:
            pref = session.get_one(BriefingPreference, user_id)
            hook_id = session.scalars(
                select(ChatWebhook.id).where(ChatWebhook.user_id == user_id)
            ).one()
            assert (pref.enabled, pref.send_time) == (True, "07:15")
    finally:
        engine.dispose()

    user.find(marker=f"webhook-test-{hook_id}").click()
    await user.should_see("Test message sent")
    assert len(delivery_receiver.requests) == 1
    user.find(marker=f"webhook-delete-{hook_id}").click()
    await user.should_see("Webhook deleted")
    await user.should_see("No webhooks yet.")
