"""Killing the server mid-stream loses no event it acknowledged.

Runs ``tenure serve`` as a process, sends batches to /v1/batch from several
threads, kills the server with SIGKILL while requests are in flight, then opens
the event store (which replays the journal) and counts.
"""

from __future__ import annotations

import base64
import http.client
import json
import signal
import threading
import time
from pathlib import Path

from tenure.db.migrate import upgrade
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.usage.service import create_source
from tenure.usage.store import EventStore
from tests.web.serving import tenure_serve


def _send(port: int, auth: str, worker: int, acked: list[int], stop: threading.Event):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    number = 0
    while not stop.is_set():
        batch = [
            {
                "type": "track",
                "userId": "u",
                "event": "E",
                "messageId": f"{worker}-{number}-{i}",
            }
            for i in range(200)
        ]
        try:
            connection.request(
                "POST",
                "/v1/batch",
                body=json.dumps({"batch": batch}),
                headers={"Authorization": auth, "Content-Type": "application/json"},
            )
            answer = connection.getresponse()
            answer.read()
        except (OSError, http.client.HTTPException):
            return  # the server is gone: this request was never acknowledged
        if answer.status == 200:
            acked.append(200)
        number += 1


def test_a_killed_server_keeps_every_acknowledged_event(tmp_path: Path) -> None:
    url = f"sqlite:///{(tmp_path / 'kill.sqlite').as_posix()}"
    upgrade(url)
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        key, _ = create_source(session, "kill test")
    engine.dispose()
    events = tmp_path / "events.duckdb"
    settings = {
        "TENURE_DATABASE_URL": url,
        "TENURE_EVENTS_PATH": str(events),
        "NICEGUI_STORAGE_PATH": str(tmp_path / "storage"),
        "TENURE_SECRET_KEY": "kill test",
    }
    with tenure_serve(settings, tmp_path / "server.log") as (server, base):
        port = int(base.rsplit(":", 1)[1])
        auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
        acked: list[int] = []
        stop = threading.Event()
        workers = [
            threading.Thread(target=_send, args=(port, auth, n, acked, stop))
            for n in range(4)
        ]
        for worker in workers:
            worker.start()
        while sum(acked) < 20_000:
            time.sleep(0.05)
        server.send_signal(signal.SIGKILL)
        server.wait()
        stop.set()
        for worker in workers:
            worker.join()
    store = EventStore.open(events)
    try:
        stored = store.count()
    finally:
        store.close()
    assert stored >= sum(acked) > 0
