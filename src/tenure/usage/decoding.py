"""Request bodies into event columns: parse, validate, and lay out as Arrow.

Pure apart from JSON parsing: ``decode`` turns a tracking request into ``Event`` rows
(or raises ``BodyError`` / ``EventError``), ``to_arrow`` lays rows out in the event
store's columns, and ``decode_ipc`` does both and serialises the result, which is what
a decoder process runs for the server.
"""

from __future__ import annotations

import datetime as dt
import logging
import zlib
from collections.abc import Sequence

import orjson
import pyarrow as pa

from tenure.usage.events import Event, parse_body

log = logging.getLogger(__name__)

COLUMNS = Event._fields
ARROW_SCHEMA = pa.schema(
    [
        ("message_id", pa.string()),
        ("type", pa.string()),
        ("user_id", pa.string()),
        ("anonymous_id", pa.string()),
        ("group_id", pa.string()),
        ("event", pa.string()),
        ("timestamp", pa.timestamp("us", tz="UTC")),
        ("received_at", pa.timestamp("us", tz="UTC")),
        ("properties", pa.string()),
        ("traits", pa.string()),
        ("context", pa.string()),
    ]
)


class BodyError(ValueError):
    """A request body that is not JSON, or not of the expected shape."""


def request_id(body: bytes, received_at: dt.datetime) -> str:
    """Name a request by its receive time and content, the same on every replay."""
    micros = int(received_at.timestamp() * 1_000_000)
    return f"{micros:x}-{zlib.crc32(body):08x}"


def decode(call: str, body: bytes, received_at: dt.datetime) -> list[Event]:
    """Parse and validate a request body of ``call``; raise BodyError or EventError."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BodyError(f"the body is not valid JSON: {exc}") from None
    return parse_body(document, call, received_at, request_id(body, received_at))


def decode_ipc(call: str, body: bytes, received_at: dt.datetime) -> bytes:
    """Decode a request into Arrow IPC stream bytes: a decoder process's work."""
    table = to_arrow(decode(call, body, received_at))
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def to_arrow(events: Sequence[Event]) -> pa.Table:
    """Columns of ``events`` as an Arrow table in the store's schema."""
    columns = list(zip(*events, strict=True)) if events else [()] * len(COLUMNS)
    return pa.Table.from_arrays(
        [
            pa.array(values, type=field.type)
            for values, field in zip(columns, ARROW_SCHEMA, strict=True)
        ],
        schema=ARROW_SCHEMA,
    )
