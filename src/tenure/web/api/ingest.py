"""Segment-compatible tracking endpoints: /v1/track, identify, group, page, batch.

A source authenticates with HTTP basic auth, its write key as the user name and an
empty password, as Segment's libraries send it. A request is answered 200 only once
its events are durable in the event store's journal; a bad message gets a 400 that
names the message and field, and nothing of that request is stored.
"""

from __future__ import annotations

import base64
import logging
import time
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse

from tenure.usage import service as usage
from tenure.usage.decoding import BodyError
from tenure.usage.events import EventError
from tenure.usage.store import EventStore
from tenure.web import context

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["tracking"])

# Segment's own limits: 32 KB for a single call, 500 KB for a batch.
MAX_CALL_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
# How long a resolved write key is trusted before it is looked up again.
KEY_CACHE_SECONDS = 30.0
_keys: dict[str, tuple[float, bool]] = {}


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        message,
        headers={"WWW-Authenticate": 'Basic realm="tenure"'},
    )


def _write_key(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise _unauthorized("send the write key as the user name of HTTP basic auth")
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise _unauthorized("the basic auth credentials are not valid base64") from None
    return decoded.partition(":")[0]


def _known(key: str) -> bool:
    now = time.monotonic()
    cached = _keys.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    with context.db() as session:
        valid = usage.resolve_write_key(session, key) is not None
    _keys[key] = (now + KEY_CACHE_SECONDS, valid)
    return valid


async def source(request: Request) -> str:
    """Check the request's write key; return it."""
    key = _write_key(request)
    if not key or not _known(key):
        raise _unauthorized("the write key is unknown or revoked")
    return key


def _store() -> EventStore:
    store = context.event_store()
    if store is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "this process does not own the event store; send events to the one "
            "that does",
        )
    return store


async def _accept(request: Request, call: str) -> JSONResponse:
    limit = MAX_BATCH_BYTES if call == "batch" else MAX_CALL_BYTES
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"a {call} request may hold at most {limit} bytes, not {declared}",
        )
    body = await request.body()
    if len(body) > limit:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"a {call} request may hold at most {limit} bytes, not {len(body)}",
        )
    try:
        accepted = await _store().ingest_async(call, body)
    except (EventError, BodyError) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    except OSError:
        log.exception("the journal could not make a %s request durable", call)
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "the events could not be made durable; nothing was stored, send again",
        ) from None
    return JSONResponse({"success": True, "accepted": accepted})


WriteKey = Annotated[str, Depends(source)]


@router.post("/track")
async def track(request: Request, _: WriteKey) -> JSONResponse:
    """Record what a user did."""
    return await _accept(request, "track")


@router.post("/identify")
async def identify(request: Request, _: WriteKey) -> JSONResponse:
    """Record who a user is (traits such as email and name)."""
    return await _accept(request, "identify")


@router.post("/group")
async def group(request: Request, _: WriteKey) -> JSONResponse:
    """Link a user to an account (the groupId); group traits update the account."""
    return await _accept(request, "group")


@router.post("/page")
async def page(request: Request, _: WriteKey) -> JSONResponse:
    """Record a page view."""
    return await _accept(request, "page")


@router.post("/screen")
async def screen(request: Request, _: WriteKey) -> JSONResponse:
    """Record a screen view of a mobile app."""
    return await _accept(request, "screen")


@router.post("/batch")
async def batch(request: Request, _: WriteKey) -> JSONResponse:
    """Record many calls at once: ``{"batch": [...]}``; all of them or none."""
    return await _accept(request, "batch")
