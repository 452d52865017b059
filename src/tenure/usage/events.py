"""Segment-compatible messages: validate them and turn them into event rows.

Pure code: a request body (or a line of a backfill file) goes in, plain ``Event``
tuples come out, or an ``EventError`` that names the message and the field at fault,
for example ``batch[3].event: a track call needs an event name``.

The accepted calls are Segment's ``track``, ``identify``, ``group``, ``page`` and
``screen``, one at a time or in a ``batch``. As Segment does, a message's
``timestamp`` is corrected for the sender's clock when it carries ``sentAt``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, NamedTuple

import orjson

log = logging.getLogger(__name__)

TYPES = ("track", "identify", "group", "page", "screen")
MAX_ID_LENGTH = 200
MAX_EVENT_NAME_LENGTH = 200
# How far into the future a corrected timestamp may lie before it is refused.
MAX_FUTURE = dt.timedelta(days=1)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class EventError(ValueError):
    """A message that cannot be accepted, with where it is and which field is wrong."""

    def __init__(self, where: str, field: str, reason: str) -> None:
        super().__init__(
            f"{where}.{field}: {reason}" if field else f"{where}: {reason}"
        )
        self.where = where
        self.field = field
        self.reason = reason

    def __reduce__(self) -> tuple[type[EventError], tuple[str, str, str]]:
        """Rebuild from the three parts, so the error crosses process boundaries."""
        return (type(self), (self.where, self.field, self.reason))


class Event(NamedTuple):
    """One accepted message as stored in the event store (timestamps are UTC)."""

    message_id: str
    type: str
    user_id: str | None
    anonymous_id: str | None
    group_id: str | None
    event: str | None
    timestamp: dt.datetime
    received_at: dt.datetime
    properties: str | None
    traits: str | None
    context: str | None


def parse_timestamp(value: Any, where: str, field: str) -> dt.datetime:
    """Read an ISO 8601 timestamp; one without an offset is taken as UTC."""
    if value.__class__ is not str or not value:
        raise EventError(where, field, f"expected an ISO 8601 timestamp, got {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise EventError(
            where, field, f"expected an ISO 8601 timestamp, got {value!r}"
        ) from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _optional_id(message: dict[str, Any], key: str, where: str) -> str | None:
    value = message.get(key)
    if value.__class__ is str and 0 < len(value) <= MAX_ID_LENGTH:
        return value  # the common case, checked first
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise EventError(where, key, f"expected a string, got {value!r}")
    text = str(value)
    if len(text) > MAX_ID_LENGTH:
        raise EventError(where, key, f"longer than {MAX_ID_LENGTH} characters")
    return text


def _object(message: dict[str, Any], key: str, where: str) -> dict[str, Any] | None:
    value = message.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise EventError(where, key, f"expected an object, got {type(value).__name__}")
    return value


def _encoded(value: dict[str, Any] | None) -> str | None:
    if not value:
        return None
    return orjson.dumps(value).decode("utf-8")


def _timestamp(
    message: dict[str, Any], where: str, received_at: dt.datetime, sent_at: Any
) -> dt.datetime:
    """When the event happened, corrected for the sender's clock by ``sentAt``."""
    raw = message.get("timestamp") or message.get("originalTimestamp")
    if raw is None:
        return received_at
    happened = parse_timestamp(raw, where, "timestamp")
    if sent_at is not None:
        happened += received_at - parse_timestamp(sent_at, where, "sentAt")
    if happened > received_at + MAX_FUTURE:
        raise EventError(where, "timestamp", f"{raw!r} lies in the future")
    if happened < EPOCH:
        raise EventError(where, "timestamp", f"{raw!r} lies before 1970")
    return happened


def parse_message(
    message: Any,
    where: str,
    received_at: dt.datetime,
    *,
    call: str | None = None,
    batch_context: dict[str, Any] | None = None,
    batch_sent_at: Any = None,
    fallback_id: str = "",
) -> Event:
    """Validate one message; ``call`` is the endpoint's type (None inside a batch).

    ``batch_context`` and ``batch_sent_at`` are a batch's own ``context`` and
    ``sentAt``, which its messages inherit unless they carry their own. A message
    without a ``messageId`` gets ``fallback_id``, which the caller derives from the
    request so that replaying the same request gives the same id.
    """
    if message.__class__ is not dict:
        raise EventError(where, "", f"expected an object, got {type(message).__name__}")
    kind = message.get("type", call)
    if kind not in TYPES or (call is not None and kind != call):
        if kind is None:
            raise EventError(where, "type", f"required; one of {', '.join(TYPES)}")
        expected = call or ", ".join(TYPES)
        raise EventError(where, "type", f"{kind!r} is not {expected}")
    user_id = _optional_id(message, "userId", where)
    anonymous_id = _optional_id(message, "anonymousId", where)
    if user_id is None and anonymous_id is None:
        raise EventError(where, "userId", "a userId or an anonymousId is required")
    context = _object(message, "context", where)
    if context is None:
        context = batch_context
    properties = _object(message, "properties", where)
    traits = _object(message, "traits", where)
    group_id = _optional_id(message, "groupId", where)
    if group_id is None and context is not None:
        group_id = _optional_id(context, "groupId", f"{where}.context")
    if kind == "group" and group_id is None:
        raise EventError(where, "groupId", "a group call needs a groupId")
    event = _event_name(message, kind, where)
    message_id = _optional_id(message, "messageId", where) or f"tenure-{fallback_id}"
    sent_at = message.get("sentAt", batch_sent_at)
    return Event(
        message_id,
        kind,
        user_id,
        anonymous_id,
        group_id,
        event,
        _timestamp(message, where, received_at, sent_at),
        received_at,
        _encoded(properties),
        _encoded(traits),
        _encoded(context),
    )


def _event_name(message: dict[str, Any], kind: str, where: str) -> str | None:
    """The event's name: a track's ``event``, a page's or screen's ``name``."""
    key = "event" if kind == "track" else "name"
    value = message.get(key)
    if kind == "track" and (not isinstance(value, str) or not value.strip()):
        raise EventError(where, "event", "a track call needs an event name")
    if value is None or kind in ("identify", "group"):
        return None
    if not isinstance(value, str):
        raise EventError(where, key, f"expected a string, got {value!r}")
    if len(value) > MAX_EVENT_NAME_LENGTH:
        raise EventError(where, key, f"longer than {MAX_EVENT_NAME_LENGTH} characters")
    return value.strip()


def parse_body(
    body: Any, call: str, received_at: dt.datetime, request_id: str
) -> list[Event]:
    """Validate a request body of ``call`` (a type, or ``batch``); all or nothing.

    ``request_id`` identifies the request (the same on a replay of it) and names the
    messages that arrive without a ``messageId``.
    """
    if call != "batch":
        return [
            parse_message(body, call, received_at, call=call, fallback_id=request_id)
        ]
    if body.__class__ is not dict:
        raise EventError("body", "", f"expected an object, got {type(body).__name__}")
    messages = body.get("batch")
    if messages.__class__ is not list:
        raise EventError("body", "batch", "expected a list of messages")
    context = _object(body, "context", "body")
    sent_at = body.get("sentAt")
    events = []
    index = 0
    try:
        for index, message in enumerate(messages):
            events.append(
                parse_message(
                    message,
                    _IN_BATCH,
                    received_at,
                    batch_context=context,
                    batch_sent_at=sent_at,
                    fallback_id=f"{request_id}-{index}",
                )
            )
    except EventError as exc:
        where = exc.where.replace(_IN_BATCH, f"batch[{index}]", 1)
        raise EventError(where, exc.field, exc.reason) from None
    return events


# Where a message inside a batch is, until an error names its index.
_IN_BATCH = "batch[?]"
