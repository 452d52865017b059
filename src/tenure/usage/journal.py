"""The event store's write-ahead journal: accepted requests, durable before the ack.

Each accepted request is appended to the current segment file as one record and the
file is fsynced before the request is acknowledged; many requests waiting at once
share one fsync. A segment is deleted only after its events are committed in DuckDB,
so after a crash every segment still on disk is replayed (the event store ignores
message ids it already holds, which makes a replay safe to repeat).

A record is a header (payload length, CRC-32 of the payload, the receive time in
microseconds since 1970 and a one-byte call code) followed by the request body as it
arrived. A record cut short by a crash fails its length or CRC check; it was never
acknowledged, so replay stops there and drops it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

log = logging.getLogger(__name__)

HEADER = struct.Struct(">IIqB")
CALLS = ("track", "identify", "group", "page", "screen", "batch")
SUFFIX = ".journal"


class Record(NamedTuple):
    """One accepted request as journaled."""

    call: str
    received_at: dt.datetime
    body: bytes


def encode(record: Record) -> bytes:
    """Return the bytes of one journal record."""
    micros = (record.received_at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // (
        dt.timedelta(microseconds=1)
    )
    header = HEADER.pack(
        len(record.body),
        zlib.crc32(record.body),
        micros,
        CALLS.index(record.call),
    )
    return header + record.body


def read_segment(path: Path) -> Iterator[Record]:
    """Yield the complete records of a segment, stopping at a torn tail."""
    data = path.read_bytes()
    offset = 0
    while offset + HEADER.size <= len(data):
        length, crc, micros, call = HEADER.unpack_from(data, offset)
        start = offset + HEADER.size
        body = data[start : start + length]
        if len(body) < length or zlib.crc32(body) != crc or call >= len(CALLS):
            log.warning(
                "journal %s: dropping a torn record at byte %d (never acknowledged)",
                path,
                offset,
            )
            return
        received = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
            microseconds=micros
        )
        yield Record(CALLS[call], received, body)
        offset = start + length
    if offset != len(data):
        log.warning("journal %s: dropping a torn header at byte %d", path, offset)


class Segment:
    """A journal file being appended to; ``sync`` makes what was written durable."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.bytes = 0

    def write(self, data: bytes) -> None:
        """Append ``data``; durable only after ``sync``."""
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        self.bytes += len(data)

    def sync(self) -> None:
        """Flush the file's data to disk."""
        os.fsync(self._fd)

    def close(self) -> None:
        """Close the file (it stays on disk until its events are stored)."""
        os.close(self._fd)


class Journal:
    """The numbered segment files in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        existing = self.segments()
        self._next = int(existing[-1].stem) + 1 if existing else 1

    def segments(self) -> list[Path]:
        """The segment files on disk, oldest first."""
        return sorted(self.folder.glob(f"*{SUFFIX}"), key=lambda path: int(path.stem))

    def open_segment(self) -> Segment:
        """Start the next segment file and make its directory entry durable."""
        path = self.folder / f"{self._next:012d}{SUFFIX}"
        self._next += 1
        segment = Segment(path)
        self._sync_folder()
        return segment

    def remove(self, path: Path) -> None:
        """Delete a segment whose events are stored."""
        path.unlink(missing_ok=True)
        self._sync_folder()

    def _sync_folder(self) -> None:
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
