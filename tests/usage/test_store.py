"""The event store: durable acknowledgement, deduplication, replay after a crash."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tenure.usage.decoding import BodyError
from tenure.usage.events import EventError
from tenure.usage.journal import Journal, read_segment
from tenure.usage.store import (
    EventStore,
    StoreBusy,
    StoreLimits,
    _InOrder,
)


def track(message_id: str, group: str = "acme") -> bytes:
    return json.dumps(
        {
            "userId": "u1",
            "event": "Signed In",
            "messageId": message_id,
            "context": {"groupId": group},
        }
    ).encode()


def batch(ids: list[str]) -> bytes:
    messages = [
        {"type": "track", "userId": f"u{i}", "event": "E", "messageId": i} for i in ids
    ]
    return json.dumps({"batch": messages}).encode()


@pytest.fixture
def store(tmp_path: Path) -> object:
    opened = EventStore.open(tmp_path / "events.duckdb")
    yield opened
    opened.close()


def test_ingested_events_are_stored_once(store: EventStore) -> None:
    assert store.ingest("track", track("m1")) == 1
    assert store.ingest("track", track("m1")) == 1
    assert store.ingest("batch", batch(["m2", "m3", "m2"])) == 3
    store.flush()
    assert store.count() == 3
    with store.reader() as cursor:
        rows = cursor.execute(
            "SELECT message_id, group_id FROM events ORDER BY message_id"
        ).fetchall()
    assert rows == [("m1", "acme"), ("m2", None), ("m3", None)]


def test_a_bad_request_stores_nothing(store: EventStore) -> None:
    body = json.dumps({"batch": [{"type": "track", "userId": "u", "event": "E"}, {}]})
    with pytest.raises(EventError, match=r"batch\[1\]\.type"):
        store.ingest("batch", body.encode())
    with pytest.raises(BodyError, match="not valid JSON"):
        store.ingest("track", b"{not json")
    store.flush()
    assert store.count() == 0


def test_a_second_process_cannot_open_the_store(store: EventStore) -> None:
    child = textwrap.dedent(
        f"""
        from pathlib import Path
        from tenure.usage.store import EventStore
        EventStore.open(Path({str(store.path)!r}))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "StoreBusy" in result.stderr
    assert "in use by another process" in result.stderr
    assert StoreBusy.__name__ == "StoreBusy"


def test_replay_stores_a_journal_left_by_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "events.duckdb"
    # A flush threshold no test reaches: events stay journaled until close.
    limits = StoreLimits(flush_rows=10**9, flush_seconds=3600)
    first = EventStore.open(path, limits)
    first.ingest("batch", batch(["a", "b"]))
    # Simulate the crash: stop the threads without storing, as a kill would.
    first._closed = True
    journal = Journal(path.with_name(path.name + ".journal"))
    (left_behind,) = journal.segments()
    assert left_behind.stat().st_size > 0
    first._con.close()
    second = EventStore.open(path)
    try:
        assert second.count() == 2
        assert left_behind not in journal.segments()
    finally:
        second.close()


CHILD = """
import json, sys
from pathlib import Path
from tenure.usage.store import EventStore, StoreLimits

limits = StoreLimits(flush_rows=700, flush_seconds=0.05)
store = EventStore.open(Path(sys.argv[1]), limits)
for n in range(100_000):
    messages = [
        {"type": "track", "userId": "u", "event": "E", "messageId": f"{n}-{i}"}
        for i in range(50)
    ]
    store.ingest("batch", json.dumps({"batch": messages}).encode())
    print(n, flush=True)
"""


def test_killing_the_owner_loses_no_acknowledged_event(tmp_path: Path) -> None:
    path = tmp_path / "events.duckdb"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert child.stdout is not None
    acknowledged = -1
    for line in child.stdout:
        acknowledged = int(line)
        if acknowledged >= 60:
            break
    child.send_signal(signal.SIGKILL)
    child.wait()
    for line in child.stdout:  # acknowledgements printed before the kill landed
        acknowledged = int(line)
    child.stdout.close()
    store = EventStore.open(path)
    try:
        stored = store.count()
    finally:
        store.close()
    assert stored >= (acknowledged + 1) * 50


def test_requests_reach_the_journal_in_ticket_order() -> None:
    out: queue.Queue[object] = queue.Queue()
    in_order = _InOrder(out)
    tickets = [in_order.take() for _ in range(4)]
    in_order.release(tickets[2], "third")
    in_order.release(tickets[1], None)  # failed validation: nothing to journal
    assert out.empty()
    in_order.release(tickets[0], "first")
    in_order.release(tickets[3], "fourth")
    assert [out.get_nowait() for _ in range(3)] == ["first", "third", "fourth"]


def test_decoder_processes_accept_and_refuse_like_the_caller(tmp_path: Path) -> None:
    async def send() -> list[object]:
        good = [
            store.ingest_async("batch", batch([f"a{i}", f"b{i}"])) for i in range(9)
        ]
        bad = store.ingest_async("batch", json.dumps({"batch": [{}]}).encode())
        return await asyncio.gather(*good, bad, return_exceptions=True)

    # Nothing is flushed before close: the journal shows the order requests reached it.
    limits = StoreLimits(decoders=1, flush_rows=10**9, flush_seconds=3600)
    path = tmp_path / "events.duckdb"
    store = EventStore.open(path, limits)
    try:
        results = asyncio.run(send())
        assert results[:9] == [2] * 9
        assert isinstance(results[9], EventError)
        assert str(results[9]).startswith("batch[0].type: required; one of track")
        journal = Journal(path.with_name(path.name + ".journal"))
        received = [
            record.received_at
            for segment in journal.segments()
            for record in read_segment(segment)
        ]
        assert len(received) == 9
        assert received == sorted(received)
    finally:
        store.close()
    reopened = EventStore.open(path)
    try:
        assert reopened.count() == 18
    finally:
        reopened.close()
