"""Validation of Segment messages into event rows."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.usage.events import EventError, parse_body

NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def one(body: object, call: str = "track") -> object:
    return parse_body(body, call, NOW, "req")


def test_track_with_group_in_context() -> None:
    (event,) = parse_body(
        {
            "userId": "u1",
            "event": "Report Viewed",
            "messageId": "m1",
            "timestamp": "2026-12-01T07:00:00Z",
            "properties": {"report": "MRR"},
            "context": {"groupId": "acme"},
        },
        "track",
        NOW,
        "req",
    )
    assert event.message_id == "m1"
    assert event.group_id == "acme"
    assert event.event == "Report Viewed"
    assert event.timestamp == dt.datetime(2026, 12, 1, 7, tzinfo=dt.UTC)
    assert event.properties == '{"report":"MRR"}'


def test_timestamp_is_corrected_for_the_senders_clock() -> None:
    (event,) = parse_body(
        {
            "userId": "u1",
            "event": "E",
            "timestamp": "2026-12-01T09:00:00+01:00",
            "sentAt": "2026-12-01T09:30:00+01:00",
        },
        "track",
        NOW,
        "req",
    )
    # Sent at 08:30 UTC by its clock but received at 08:00: the clock is 30 min fast.
    assert event.timestamp == dt.datetime(2026, 12, 1, 7, 30, tzinfo=dt.UTC)


def test_missing_timestamp_means_received_now() -> None:
    (event,) = parse_body({"anonymousId": "a", "event": "E"}, "track", NOW, "req")
    assert event.timestamp == NOW
    assert event.message_id == "tenure-req"


def test_batch_inherits_context_and_names_the_bad_message() -> None:
    body = {
        "batch": [
            {"type": "identify", "userId": "u1", "traits": {"email": "a@b.c"}},
            {"type": "track", "userId": "u1", "properties": {}},
        ],
        "context": {"groupId": "acme"},
    }
    with pytest.raises(EventError) as caught:
        parse_body(body, "batch", NOW, "req")
    assert str(caught.value) == "batch[1].event: a track call needs an event name"


def test_batch_messages_get_distinct_fallback_ids() -> None:
    body = {"batch": [{"type": "track", "userId": "u", "event": "E"}] * 2}
    first, second = parse_body(body, "batch", NOW, "req")
    assert (first.message_id, second.message_id) == ("tenure-req-0", "tenure-req-1")


@pytest.mark.parametrize(
    ("body", "call", "message"),
    [
        (
            {"event": "E"},
            "track",
            "track.userId: a userId or an anonymousId is required",
        ),
        ({"userId": "u"}, "group", "group.groupId: a group call needs a groupId"),
        (
            {"userId": "u", "event": "E", "type": "identify"},
            "track",
            "track.type: 'identify' is not track",
        ),
        (
            {"userId": "u", "event": "E", "timestamp": "yesterday"},
            "track",
            "track.timestamp: expected an ISO 8601 timestamp, got 'yesterday'",
        ),
        (
            {"userId": "u", "event": "E", "timestamp": "2027-02-01T00:00:00Z"},
            "track",
            "track.timestamp: '2027-02-01T00:00:00Z' lies in the future",
        ),
        (
            {"userId": "u", "traits": ["x"]},
            "identify",
            "identify.traits: expected an object, got list",
        ),
        ({"userId": {"id": 1}}, "identify", "identify.userId: expected a string, got"),
        ([1, 2], "batch", "body: expected an object, got list"),
        ({"batch": {}}, "batch", "body.batch: expected a list of messages"),
        ({"batch": [3]}, "batch", "batch[0]: expected an object, got int"),
        (
            {"batch": [{"userId": "u"}]},
            "batch",
            "batch[0].type: required; one of track, identify, group, page, screen",
        ),
    ],
)
def test_errors_name_the_message_and_field(
    body: object, call: str, message: str
) -> None:
    with pytest.raises(EventError) as caught:
        parse_body(body, call, NOW, "req")
    assert str(caught.value).startswith(message)


def test_numeric_ids_are_accepted_as_text() -> None:
    (event,) = parse_body({"userId": 42, "groupId": 7}, "group", NOW, "req")
    assert (event.user_id, event.group_id) == ("42", "7")
