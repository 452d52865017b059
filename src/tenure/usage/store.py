"""The raw event store: a DuckDB file owned by one process, fed through a journal.

``EventStore.ingest`` validates a request, appends it to the write-ahead journal
and returns once the journal is fsynced: from then on the events survive a crash.
A writer thread does the journaling (concurrent requests share one fsync); a flusher
thread moves the journaled events into DuckDB in large Arrow batches and deletes a
journal segment once its events are committed. Opening the store replays whatever
segments a crash left behind. Message ids are the table's primary key, so a message
sent twice, or replayed, is stored once.

In a server, requests are parsed and validated by decoder processes (the second
core), which hand back Arrow columns; each request's receive time comes with a
ticket, and requests reach the journal in ticket order, so DuckDB receives events in
the order of their receive times.

DuckDB lets one process open the file for writing: a second process that tries gets
``StoreBusy``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from tenure.usage.decoding import BodyError, decode, decode_ipc, to_arrow
from tenure.usage.events import Event, EventError
from tenure.usage.journal import Journal, Record, Segment, encode, read_segment

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    message_id VARCHAR PRIMARY KEY,
    type VARCHAR NOT NULL,
    user_id VARCHAR,
    anonymous_id VARCHAR,
    group_id VARCHAR,
    event VARCHAR,
    timestamp TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    properties JSON,
    traits JSON,
    context JSON
)
"""
_STOP = object()


class StoreBusy(RuntimeError):
    """The event store is open in another process (the running server owns it)."""


@dataclass(frozen=True)
class StoreLimits:
    """When the flusher moves journaled events into DuckDB."""

    flush_rows: int = 50_000
    flush_seconds: float = 1.0
    # Journal segments waiting for DuckDB before new requests wait too.
    max_waiting_segments: int = 8
    # Decoder processes for ``ingest_async`` (0: decode in the calling thread).
    decoders: int = field(
        default_factory=lambda: int(os.environ.get("TENURE_INGEST_DECODERS", "1"))
    )
    # How much memory DuckDB may use for queries before it spills to disk.
    memory: str = field(
        default_factory=lambda: os.environ.get("TENURE_EVENTS_MEMORY", "1GB")
    )


class _Pending:
    """Requests written to the open segment but not yet handed to the flusher."""

    def __init__(self) -> None:
        self.tables: list[pa.Table] = []
        self.rows = 0
        self.since = 0.0

    def add(self, table: pa.Table) -> None:
        if not self.tables:
            self.since = time.monotonic()
        self.tables.append(table)
        self.rows += table.num_rows


class _InOrder:
    """Releases requests to the journal in ticket order, whatever order they finish.

    A ticket is taken with the receive time; a request that fails validation
    releases its ticket empty, so those behind it are not held up.
    """

    def __init__(self, out: queue.Queue[Any]) -> None:
        self._out = out
        self._lock = threading.Lock()
        self._next_ticket = 0
        self._next_out = 0
        self._held: dict[int, Any] = {}

    def take(self) -> int:
        """The next ticket; call it where receive times are taken."""
        ticket = self._next_ticket
        self._next_ticket += 1
        return ticket

    def release(self, ticket: int, item: Any) -> None:
        """Hand over ``item`` (None: nothing) once every earlier ticket is in."""
        with self._lock:
            self._held[ticket] = item
            while self._next_out in self._held:
                ready = self._held.pop(self._next_out)
                self._next_out += 1
                if ready is not None:
                    self._out.put(ready)


class EventStore:
    """The DuckDB event file with its journal; open it with ``EventStore.open``."""

    def __init__(
        self, path: Path, connection: duckdb.DuckDBPyConnection, limits: StoreLimits
    ) -> None:
        self.path = path
        self.limits = limits
        self._con = connection
        self._journal = Journal(path.with_name(path.name + ".journal"))
        self._requests: queue.Queue[Any] = queue.Queue()
        self._segments: queue.Queue[Any] = queue.Queue(limits.max_waiting_segments)
        self._clock_lock = threading.Lock()
        self._last_received = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        self._in_order = _InOrder(self._requests)
        self._decoders: ProcessPoolExecutor | None = None
        self._closed = False
        self._writer = threading.Thread(
            target=self._write_loop, name="event-journal", daemon=True
        )
        self._flusher = threading.Thread(
            target=self._flush_loop, name="event-flusher", daemon=True
        )

    @classmethod
    def open(cls, path: Path, limits: StoreLimits | None = None) -> EventStore:
        """Open (or create) the store at ``path`` and replay a crash's journal."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = duckdb.connect(str(path))
        except duckdb.IOException as exc:
            raise StoreBusy(
                f"the event store {path} is in use by another process "
                "(a running `tenure serve` owns it)"
            ) from exc
        limits = limits or StoreLimits()
        # DuckDB takes 80% of the machine's memory by default; a server shares it.
        connection.execute(f"SET memory_limit = '{limits.memory}'")
        connection.execute("SET preserve_insertion_order = false")
        connection.execute(SCHEMA)
        store = cls(path, connection, limits)
        store._replay()
        store._writer.start()
        store._flusher.start()
        return store

    # Accepting requests -----------------------------------------------------

    def _receive_time(self) -> dt.datetime:
        """Now, strictly after every earlier receive time; call under the lock."""
        now = max(
            dt.datetime.now(dt.UTC), self._last_received + dt.timedelta(microseconds=1)
        )
        self._last_received = now
        return now

    def _ticket(self) -> tuple[dt.datetime, int]:
        with self._clock_lock:
            return self._receive_time(), self._in_order.take()

    def submit(self, call: str, body: bytes) -> Future[int]:
        """Validate a request and queue it; the future resolves once it is durable."""
        if self._closed:
            raise RuntimeError("the event store is closed")
        received_at, ticket = self._ticket()
        try:
            table = to_arrow(decode(call, body, received_at))
        except BaseException:
            self._in_order.release(ticket, None)
            raise
        done: Future[int] = Future()
        self._in_order.release(ticket, (Record(call, received_at, body), table, done))
        return done

    def ingest(self, call: str, body: bytes) -> int:
        """Accept a request and return its event count once it is durable."""
        return self.submit(call, body).result()

    def _decoder_pool(self) -> ProcessPoolExecutor | None:
        if self._decoders is None and self.limits.decoders > 0 and not self._closed:
            self._decoders = ProcessPoolExecutor(
                self.limits.decoders, mp_context=multiprocessing.get_context("spawn")
            )
        return self._decoders

    async def ingest_async(self, call: str, body: bytes) -> int:
        """Like ``ingest``, for a coroutine: decodes in a decoder process if any."""
        pool = self._decoder_pool()
        if pool is None:
            return await asyncio.wrap_future(self.submit(call, body))
        received_at, ticket = self._ticket()
        try:
            payload = await asyncio.get_running_loop().run_in_executor(
                pool, decode_ipc, call, body, received_at
            )
            table = pa.ipc.open_stream(payload).read_all()
        except BaseException:
            self._in_order.release(ticket, None)
            raise
        done: Future[int] = Future()
        self._in_order.release(ticket, (Record(call, received_at, body), table, done))
        return await asyncio.wrap_future(done)

    def flush(self) -> None:
        """Return once every request accepted so far is stored in DuckDB."""
        done: Future[None] = Future()
        self._requests.put(done)
        done.result()

    def close(self) -> None:
        """Store everything accepted, stop the threads and close the DuckDB file."""
        if self._closed:
            return
        self._closed = True
        if self._decoders is not None:
            self._decoders.shutdown(wait=True)
        self._requests.put(_STOP)
        self._writer.join()
        self._flusher.join()
        self._con.close()
        log.info("event store %s closed", self.path)

    # Reading ----------------------------------------------------------------

    @contextlib.contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for queries from any thread."""
        cursor = self._con.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def count(self) -> int:
        """How many events the DuckDB file holds (stored, not merely journaled)."""
        with self.reader() as cursor:
            row = cursor.execute("SELECT count(*) FROM events").fetchone()
        return int(row[0]) if row else 0

    def clear(self) -> None:
        """Delete every stored event (the demo's reset)."""
        self.flush()
        with self.reader() as cursor:
            cursor.execute("DELETE FROM events")
            cursor.execute("CHECKPOINT")

    # The writer and the flusher -----------------------------------------------

    def _write_loop(self) -> None:
        segment = self._journal.open_segment()
        pending = _Pending()
        stopping = False
        while not stopping:
            timeout = self.limits.flush_seconds if pending.tables else None
            try:
                items = [self._requests.get(timeout=timeout)]
            except queue.Empty:
                items = []
            while True:
                try:
                    items.append(self._requests.get_nowait())
                except queue.Empty:
                    break
            writes = [item for item in items if isinstance(item, tuple)]
            markers = [item for item in items if isinstance(item, Future)]
            stopping = _STOP in items
            if writes:
                self._journal_writes(segment, writes, pending)
            due = pending.tables and (
                markers
                or stopping
                or pending.rows >= self.limits.flush_rows
                or time.monotonic() - pending.since >= self.limits.flush_seconds
            )
            if due:
                segment.close()
                self._segments.put((segment.path, pending.tables))
                segment = self._journal.open_segment()
                pending = _Pending()
            for marker in markers:
                self._segments.put(marker)
        segment.close()
        if segment.bytes == 0:
            self._journal.remove(segment.path)
        self._segments.put(_STOP)

    def _journal_writes(
        self,
        segment: Segment,
        writes: list[tuple[Record, pa.Table, Future[int]]],
        pending: _Pending,
    ) -> None:
        try:
            segment.write(b"".join(encode(record) for record, _, _ in writes))
            segment.sync()
        except OSError as exc:
            log.error("journal write failed; %d requests refused: %s", len(writes), exc)
            for _, _, done in writes:
                done.set_exception(exc)
            return
        for _, table, done in writes:
            pending.add(table)
            done.set_result(table.num_rows)

    def _flush_loop(self) -> None:
        while True:
            item = self._segments.get()
            if item is _STOP:
                return
            if isinstance(item, Future):
                item.set_result(None)
                continue
            path, tables = item
            self._store_until_done(path, pa.concat_tables(tables))

    def _store_until_done(self, path: Path, events: pa.Table) -> None:
        """Store a segment's events, retrying on failure; never drop them."""
        delay = 0.5
        while True:
            try:
                self._store(events)
            except duckdb.Error as exc:
                if self._closed:
                    log.error(
                        "events of %s not stored (kept for replay): %s", path, exc
                    )
                    return
                log.error("storing events failed, retrying in %.1fs: %s", delay, exc)
                time.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            self._journal.remove(path)
            return

    def _store(self, events: pa.Table) -> None:
        # INSERT OR IGNORE also keeps the first of a message id sent twice in a batch.
        self._con.register("incoming_events", events)
        try:
            self._con.execute(
                "INSERT OR IGNORE INTO events SELECT * FROM incoming_events"
            )
        finally:
            self._con.unregister("incoming_events")
        log.debug("stored up to %d events", events.num_rows)

    def _replay(self) -> None:
        """Store the events of journal segments a crash left behind, then drop them."""
        for path in self._journal.segments():
            events: list[Event] = []
            for record in read_segment(path):
                try:
                    events.extend(decode(record.call, record.body, record.received_at))
                except (BodyError, EventError) as exc:
                    log.error("journal %s: a record no longer parses: %s", path, exc)
                self._last_received = max(self._last_received, record.received_at)
            if events:
                self._store(to_arrow(events))
                log.warning("replayed %d journaled events from %s", len(events), path)
            self._journal.remove(path)
