"""The Segment-compatible tracking endpoints: write keys, limits, errors, durability."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, insert, select

from tenure.accounts.models import Account
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.jobs.models import JobRun
from tenure.jobs.service import JobContext, run_job
from tenure.usage import service as usage
from tenure.usage.models import EventSource, UsageDaily
from tenure.web import context
from tenure.web.api.ingest import MAX_BATCH_BYTES
from tests.web.conftest import WebData

pytestmark = pytest.mark.anyio


usage_daily = UsageDaily.__table__


def basic(key: str) -> dict[str, str]:
    token = base64.b64encode(f"{key}:".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def write_key(web_data: WebData) -> Any:
    engine = make_engine(web_data.url)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        key, source = usage.create_source(session, f"tests-{id(web_data)}-{id(engine)}")
        source_id = source.id
        account = session.scalars(select(Account).order_by(Account.id)).first()
        assert account is not None
        external_id = account.external_id
        # The rollup replaces today's usage of every account: put the company's back.
        kept = [dict(r) for r in session.execute(select(usage_daily)).mappings()]
    yield key, external_id
    with transaction(factory) as session:
        session.delete(session.get(EventSource, source_id))
        session.execute(delete(UsageDaily))
        if kept:
            session.execute(insert(usage_daily), kept)
        session.execute(delete(JobRun))
    engine.dispose()


def track(account: str, message_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "userId": "user-1",
        "event": "Report Viewed",
        "messageId": message_id,
        "context": {"groupId": account},
        **extra,
    }


async def test_events_are_accepted_stored_once_and_rolled_up(
    client: httpx.AsyncClient, write_key: tuple[str, str], web_data: WebData
) -> None:
    key, account = write_key
    headers = basic(key)
    answer = await client.post("/v1/track", json=track(account, "t1"), headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"success": True, "accepted": 1}
    batch = {
        "batch": [
            {"type": "identify", "userId": "user-2", "traits": {"email": "a@b.c"}},
            {"type": "group", "userId": "user-2", "groupId": account},
            {"type": "track", "userId": "user-2", "event": "Signed In"},
            {"type": "track", **track(account, "t1")},
        ]
    }
    answer = await client.post("/v1/batch", json=batch, headers=headers)
    assert answer.json() == {"success": True, "accepted": 4}
    for call, body in (
        ("identify", {"userId": "user-3", "traits": {"name": "Li Wei"}}),
        ("group", {"userId": "user-3", "groupId": account}),
        ("page", {"userId": "user-3", "name": "Home"}),
        ("screen", {"userId": "user-3", "name": "Inbox"}),
    ):
        answer = await client.post(f"/v1/{call}", json=body, headers=headers)
        assert answer.status_code == 200, (call, answer.text)
    store = context.event_store()
    assert store is not None
    store.flush()
    assert store.count() == 8  # t1 twice is stored once
    engine = make_engine(web_data.url)
    try:
        factory = make_session_factory(engine)
        run_job(JobContext(factory, store, dt.date.today()), "rollup", "full")
        with factory() as session:
            account_id = session.scalar(
                select(Account.id).filter_by(external_id=account)
            )
            rows = session.scalars(select(UsageDaily).filter_by(account_id=account_id))
            totals = [(row.active_users, row.events) for row in rows]
    finally:
        engine.dispose()
    # Usage counts the track, page and screen calls, not identify and group.
    assert sum(events for _, events in totals) == 4
    assert max(users for users, _ in totals) >= 2


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "send the write key as the user name of HTTP basic auth"),
        ({"Authorization": "Bearer abc"}, "send the write key"),
        ({"Authorization": "Basic !!!"}, "not valid base64"),
        (basic("tws_unknown"), "the write key is unknown or revoked"),
    ],
)
async def test_a_missing_or_bad_write_key_is_401(
    client: httpx.AsyncClient, headers: dict[str, str], message: str
) -> None:
    answer = await client.post("/v1/track", json={}, headers=headers)
    assert answer.status_code == 401
    assert message in answer.json()["detail"]


async def test_a_bad_message_is_400_and_stores_nothing(
    client: httpx.AsyncClient, write_key: tuple[str, str]
) -> None:
    key, account = write_key
    batch = {"batch": [track(account, "ok-1", type="track"), {"type": "track"}]}
    answer = await client.post("/v1/batch", json=batch, headers=basic(key))
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("batch[1].userId: a userId or")
    answer = await client.post(
        "/v1/track", content=b"{nope", headers=basic(key) | {"content-type": "json"}
    )
    assert answer.status_code == 400
    assert "not valid JSON" in answer.json()["detail"]
    store = context.event_store()
    assert store is not None
    store.flush()
    assert store.count() == 0


async def test_oversized_requests_are_413(
    client: httpx.AsyncClient, write_key: tuple[str, str]
) -> None:
    key, account = write_key
    big = track(account, "big", properties={"blob": "x" * (40 * 1024)})
    answer = await client.post("/v1/track", json=big, headers=basic(key))
    assert answer.status_code == 413
    assert "at most 32768 bytes" in answer.json()["detail"]
    many = {"batch": [track(account, f"m{i}", type="track") for i in range(6_000)]}
    assert len(json.dumps(many)) > MAX_BATCH_BYTES
    answer = await client.post("/v1/batch", json=many, headers=basic(key))
    assert answer.status_code == 413
