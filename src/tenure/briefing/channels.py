"""The briefing's channels: email over SMTP, chat webhooks and the in-app centre.

Each channel gets the briefing rendered once, with "(late)" in front of its title
when it goes out after its time. Sending raises a ChannelError whose text is what
the mail server or the chat platform said; the caller records it and retries.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from sqlalchemy.orm import Session

from tenure.briefing import render
from tenure.briefing.document import BriefingDocument
from tenure.briefing.models import ChatWebhook
from tenure.briefing.webhooks import ChatMessage, WebhookError, post
from tenure.notifications.service import notify
from tenure.settings import service as settings
from tenure.staff.models import StaffUser
from tenure.web.i18n import translator

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 30
# The Markdown each robot is sent, at most, and whether that counts UTF-8 bytes:
# under each platform's limit, with room for the rest of the request.
CHAT_LIMITS = {
    "wecom": (4000, True),
    "dingtalk": (18000, True),
    "feishu": (16000, True),
    "slack": (12000, False),
}


class ChannelError(Exception):
    """A channel that did not take the message; ``final`` ones are not retried."""

    def __init__(self, message: str, *, final: bool = False) -> None:
        super().__init__(message)
        self.final = final


@dataclass(frozen=True)
class SmtpConfig:
    """The mail server settings, read once per delivery."""

    host: str
    port: int
    security: str
    username: str
    password: str
    sender: str

    @classmethod
    def load(cls, session: Session) -> SmtpConfig:
        """Read the smtp_* settings."""
        return cls(
            host=settings.get(session, "smtp_host"),
            port=settings.get(session, "smtp_port"),
            security=settings.get(session, "smtp_security"),
            username=settings.get(session, "smtp_username"),
            password=settings.get(session, "smtp_password"),
            sender=settings.get(session, "smtp_from"),
        )


@dataclass(frozen=True)
class TestOutcome:
    """How a webhook's test message went."""

    ok: bool
    error: str | None = None


def late_mark(locale: str) -> str:
    """'(late)' or '(补发)': what a late briefing says first."""
    return translator(locale)("notify.late")


def marked(doc: BriefingDocument, late: bool) -> BriefingDocument:
    """The document with "(late)" in front of its title when it is late."""
    if not late:
        return doc
    return dataclasses.replace(doc, title=f"{late_mark(doc.locale)} {doc.title}")


def briefing_link(doc: BriefingDocument) -> str:
    """The mobile page of the briefing."""
    return f"/m/briefing/{doc.date.isoformat()}"


def email_message(
    doc: BriefingDocument, to: str, sender: str, base_url: str, now: dt.datetime
) -> EmailMessage:
    """The briefing as an email with a text and an HTML alternative."""
    message = EmailMessage()
    message["Subject"] = render.subject(doc)
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(now.astimezone(dt.UTC))
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid("briefing", domain=domain)
    message.set_content(render.render_text(doc, base_url))
    message.add_alternative(render.render_html(doc, base_url), subtype="html")
    return message


def _smtp_error(exc: smtplib.SMTPException) -> str:
    """'SMTP 550 mailbox unavailable' from whichever form smtplib raised."""
    code: int
    reply: bytes | str
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()))
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, reply = exc.smtp_code, exc.smtp_error
    else:
        return f"SMTP {exc}"
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    return f"SMTP {code} {text}"


def send_email(config: SmtpConfig, message: EmailMessage) -> None:
    """Send ``message`` through the configured mail server."""
    if not config.host:
        raise ChannelError(
            "email is off: no mail server is configured (smtp_host)", final=True
        )
    try:
        if config.security == "ssl":
            context = ssl.create_default_context()
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                config.host, config.port, timeout=SMTP_TIMEOUT_SECONDS, context=context
            )
        else:
            client = smtplib.SMTP(
                config.host, config.port, timeout=SMTP_TIMEOUT_SECONDS
            )
        with client:
            if config.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if config.username:
                client.login(config.username, config.password)
            client.send_message(message)
    except smtplib.SMTPException as exc:
        raise ChannelError(_smtp_error(exc)) from None
    except OSError as exc:
        raise ChannelError(
            f"SMTP {config.host}:{config.port} not reached: {exc}"
        ) from None


def chat_message(doc: BriefingDocument, kind: str, base_url: str) -> ChatMessage:
    """The briefing as a chat robot's title and Markdown, within its limit."""
    limit, count_bytes = CHAT_LIMITS[kind]
    body = render.render_markdown(doc, base_url, limit=limit, count_bytes=count_bytes)
    return ChatMessage(title=render.subject(doc), markdown=body)


def send_webhook(kind: str, url: str, secret: str | None, message: ChatMessage) -> None:
    """Post ``message`` to a chat webhook of ``kind``."""
    try:
        post(kind, url, secret, message)
    except WebhookError as exc:
        raise ChannelError(str(exc)) from None


def send_in_app(session: Session, doc: BriefingDocument) -> None:
    """Put the briefing in the user's notification centre."""
    notify(
        session,
        doc.user_id,
        "briefing",
        render.subject(doc),
        body=doc.headline,
        link=briefing_link(doc),
        details={"date": doc.date.isoformat()},
    )


def channel_label(channel: str, locale: str | None, hook_name: str | None) -> str:
    """How a channel is named to the user: 'email', 'in-app', a webhook's name."""
    t = translator(locale)
    if channel.startswith("webhook:"):
        return hook_name or t("notify.deleted_webhook")
    return t(f"notify.channel.{channel}")


def notify_failure(
    session: Session,
    user: StaffUser,
    day: dt.date,
    label: str,
    error: str,
) -> None:
    """Tell the user in-app that their briefing did not go out by a channel."""
    t = translator(user.locale)
    notify(
        session,
        user.id,
        "briefing_failed",
        t("notify.failed_title", date=day.isoformat(), channel=label),
        body=t("notify.failed_body", error=error),
        link="/me",
        details={"date": day.isoformat(), "channel": label, "error": error},
    )


def send_test(session: Session, webhook_id: int) -> TestOutcome:
    """Post a one-line test message to a webhook and say how it went."""
    hook = session.get(ChatWebhook, webhook_id)
    if hook is None:
        return TestOutcome(False, f"webhook {webhook_id} not found")
    user = session.get(StaffUser, hook.user_id)
    t = translator(user.locale if user is not None else None)
    base_url = settings.get(session, "public_url")
    line = t("notify.test_message", name=hook.name)
    message = ChatMessage(
        title=t("notify.test_title"), markdown=f"{line}\n\n[Tenure]({base_url}/me)"
    )
    try:
        send_webhook(hook.kind, hook.url, hook.secret, message)
    except ChannelError as exc:
        log.info("test message to webhook %d failed: %s", webhook_id, exc)
        return TestOutcome(False, str(exc))
    log.info("test message to webhook %d sent", webhook_id)
    return TestOutcome(True)
