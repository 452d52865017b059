"""Backfills: a JSON-lines file of Segment messages into the event store.

Every line is one message (with its ``type``) or a ``{"batch": [...]}`` object. The
whole file is checked before anything is stored; a file with a bad line stores
nothing and every problem is reported as ``file:line: field: reason``. A message
without a ``messageId`` gets one derived from its line's content, so running the
same file again (after an interruption, say) stores each event once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tenure.usage.events import EventError, parse_body
from tenure.usage.store import EventStore

log = logging.getLogger(__name__)

CHUNK_MESSAGES = 5_000
MAX_PROBLEMS = 200


@dataclass
class BackfillResult:
    """What a backfill read and stored, or the problems that stopped it."""

    lines: int = 0
    messages: int = 0
    problems: list[str] = field(default_factory=list)


def _is_batch(document: Any) -> bool:
    return isinstance(document, dict) and "batch" in document


def _messages(document: Any) -> list[Any]:
    if _is_batch(document):
        batch = document["batch"]
        return batch if isinstance(batch, list) else [batch]
    return [document]


def _with_id(message: Any, line: bytes, index: int) -> Any:
    if isinstance(message, dict) and not message.get("messageId"):
        digest = hashlib.sha1(line, usedforsecurity=False).hexdigest()[:20]
        return {**message, "messageId": f"file-{digest}-{index}"}
    return message


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            stripped = line.strip()
            if stripped:
                yield number, stripped


def check(path: Path) -> BackfillResult:
    """Read and validate every line without storing anything."""
    result = BackfillResult()
    now = dt.datetime.now(dt.UTC)
    for number, line in _lines(path):
        result.lines += 1
        try:
            document = json.loads(line)
            messages = _messages(document)
            parse_body({"batch": messages}, "batch", now, "check")
        except json.JSONDecodeError as exc:
            result.problems.append(f"{path}:{number}: not valid JSON: {exc.msg}")
        except EventError as exc:
            where = exc.where
            if not _is_batch(document):
                where = where.replace("batch[0]", "message", 1)
            place = f"{where}.{exc.field}" if exc.field else where
            result.problems.append(f"{path}:{number}: {place}: {exc.reason}")
        else:
            result.messages += len(messages)
        if len(result.problems) >= MAX_PROBLEMS:
            result.problems.append(f"{path}: stopped after {MAX_PROBLEMS} problems")
            break
    return result


def backfill(store: EventStore, path: Path) -> BackfillResult:
    """Check the file, then store all of it, or nothing if any line is wrong."""
    result = check(path)
    if result.problems:
        return result
    chunk: list[Any] = []
    for _, line in _lines(path):
        for index, message in enumerate(_messages(json.loads(line))):
            chunk.append(_with_id(message, line, index))
        if len(chunk) >= CHUNK_MESSAGES:
            store.ingest("batch", json.dumps({"batch": chunk}).encode())
            chunk = []
    if chunk:
        store.ingest("batch", json.dumps({"batch": chunk}).encode())
    store.flush()
    log.info("backfilled %d messages from %s", result.messages, path)
    return result
