"""Chat robot webhooks: each platform's payload, its signing and its reply.

WeCom and DingTalk group robots and Feishu custom bots take Markdown; Slack's
incoming webhooks take blocks of ``mrkdwn``, whose links are ``<url|text>``, so the
Markdown is converted for it. Each platform answers a refused message with HTTP 200
and an error code in the body; anything but its success reply is a failure whose
text says what the platform said.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 15
# The platforms' documented Markdown limits (Feishu's is of the whole request);
# a last guard, as the renderer already keeps under CHAT_LIMITS in channels.
MARKDOWN_BYTES = {"wecom": 4096, "dingtalk": 20000, "feishu": 19000}
SLACK_SECTION_CHARS = 3000
SLACK_MAX_BLOCKS = 50
PLATFORM = {
    "wecom": "WeCom",
    "dingtalk": "DingTalk",
    "feishu": "Feishu",
    "slack": "Slack",
}

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_BULLET = re.compile(r"^(\s*)[-*]\s+")


class WebhookError(Exception):
    """A webhook that could not be reached or refused the message."""


@dataclass(frozen=True)
class ChatMessage:
    """What a chat robot posts: a title and a Markdown body."""

    title: str
    markdown: str


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: base64 HMAC-SHA256 of "timestamp\\nsecret" by secret."""
    text = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), text, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's signature: base64 HMAC-SHA256 keyed by "timestamp\\nsecret", of b""."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def fit_markdown(markdown: str, limit: int) -> str:
    """Cut ``markdown`` at a line so that it takes at most ``limit`` UTF-8 bytes."""
    if len(markdown.encode()) <= limit:
        return markdown
    kept: list[str] = []
    size = len("…".encode())
    for line in markdown.splitlines():
        size += len(line.encode()) + 1
        if size > limit:
            break
        kept.append(line)
    return "\n".join([*kept, "…"])


def without_title(markdown: str, title: str) -> str:
    """The Markdown without a first heading that repeats ``title`` (a card shows it)."""
    first, _, rest = markdown.partition("\n")
    heading = _HEADING.match(first)
    if heading and heading.group(1).strip() == title.strip():
        return rest.lstrip("\n")
    return markdown


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_mrkdwn(markdown: str) -> str:
    """Convert Markdown to Slack's mrkdwn: <url|text> links, *bold*, • bullets."""
    lines = []
    for raw in markdown.splitlines():
        heading = _HEADING.match(raw)
        line = f"**{heading.group(1)}**" if heading else raw
        line = _BULLET.sub(lambda m: f"{m.group(1)}• ", line)
        pieces, position = [], 0
        for link in _LINK.finditer(line):
            pieces.append(_slack_escape(line[position : link.start()]))
            label = _slack_escape(link.group(1)).replace("|", "¦")
            pieces.append(f"<{link.group(2)}|{label}>")
            position = link.end()
        pieces.append(_slack_escape(line[position:]))
        lines.append(_BOLD.sub(r"*\1*", "".join(pieces)))
    return "\n".join(lines)


def slack_blocks(message: ChatMessage) -> list[dict[str, Any]]:
    """A header and mrkdwn sections of at most Slack's 3,000 characters each."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.title[:150]}}
    ]
    chunk = ""
    body = without_title(message.markdown, message.title)
    for paragraph in slack_mrkdwn(body).split("\n\n"):
        paragraph = paragraph.strip("\n")
        if not paragraph:
            continue
        if chunk and len(chunk) + len(paragraph) + 2 > SLACK_SECTION_CHARS:
            blocks.append(_section(chunk))
            chunk = ""
        chunk = f"{chunk}\n\n{paragraph}" if chunk else paragraph
    if chunk:
        blocks.append(_section(chunk))
    return blocks[:SLACK_MAX_BLOCKS]


def _section(text: str) -> dict[str, Any]:
    cut = text if len(text) <= SLACK_SECTION_CHARS else text[:2999] + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut}}


def payload(kind: str, message: ChatMessage) -> dict[str, Any]:
    """The JSON body of ``message`` for a webhook of ``kind`` (without signing)."""
    if kind == "wecom":
        content = fit_markdown(message.markdown, MARKDOWN_BYTES["wecom"])
        return {"msgtype": "markdown", "markdown": {"content": content}}
    if kind == "dingtalk":
        text = fit_markdown(message.markdown, MARKDOWN_BYTES["dingtalk"])
        return {
            "msgtype": "markdown",
            "markdown": {"title": message.title, "text": text},
        }
    if kind == "feishu":
        body = without_title(message.markdown, message.title)
        content = fit_markdown(body, MARKDOWN_BYTES["feishu"])
        card = {
            "config": {"wide_screen_mode": True},
            "header": {
                "title": {"tag": "plain_text", "content": message.title},
                "template": "blue",
            },
            "elements": [{"tag": "markdown", "content": content}],
        }
        return {"msg_type": "interactive", "card": card}
    if kind == "slack":
        return {"text": message.title, "blocks": slack_blocks(message)}
    raise WebhookError(f"unknown webhook kind {kind!r}")


def signed_request(
    kind: str, url: str, secret: str | None, body: dict[str, Any], now: float
) -> tuple[str, dict[str, Any]]:
    """Sign as the platform asks: DingTalk in the URL's query, Feishu in the body."""
    if not secret:
        return url, body
    if kind == "dingtalk":
        stamp = int(now * 1000)
        query = urlencode({"timestamp": stamp, "sign": dingtalk_sign(secret, stamp)})
        parts = urlsplit(url)
        joined = f"{parts.query}&{query}" if parts.query else query
        return urlunsplit(parts._replace(query=joined)), body
    if kind == "feishu":
        stamp = int(now)
        return url, {
            "timestamp": str(stamp),
            "sign": feishu_sign(secret, stamp),
            **body,
        }
    return url, body


def check_reply(kind: str, status: int, text: str) -> None:
    """Raise a WebhookError unless the reply is the platform's success."""
    name = PLATFORM.get(kind, kind)
    if kind == "slack":
        if 200 <= status < 300 and text.strip() == "ok":
            return
        raise WebhookError(f"Slack HTTP {status}: {text.strip()[:200] or 'no reply'}")
    try:
        reply = json.loads(text) if text.strip() else None
    except ValueError:
        reply = None
    if not isinstance(reply, dict):
        raise WebhookError(f"{name} HTTP {status}: {text.strip()[:200] or 'no reply'}")
    if kind == "feishu":
        code = reply.get("code", reply.get("StatusCode"))
        message = reply.get("msg", reply.get("StatusMessage", ""))
        label = "code"
    else:
        code, message, label = reply.get("errcode"), reply.get("errmsg", ""), "errcode"
    if code == 0 and 200 <= status < 300:
        return
    if code is None or code == 0:
        raise WebhookError(f"{name} HTTP {status}: {text.strip()[:200]}")
    raise WebhookError(f"{name} {label} {code}: {message}")


def post(kind: str, url: str, secret: str | None, message: ChatMessage) -> None:
    """Post ``message`` to a webhook; raise a WebhookError saying why it failed."""
    target, body = signed_request(
        kind, url, secret, payload(kind, message), time.time()
    )
    request = urllib.request.Request(
        target,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    name = PLATFORM.get(kind, kind)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            status, text = response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read().decode(errors="replace")
        exc.close()
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise WebhookError(f"{name} not reached: {reason}") from None
    check_reply(kind, status, text)
    log.debug("%s webhook took the message (HTTP %d)", name, status)
