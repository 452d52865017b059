"""The briefing's channels against real servers: aiosmtpd and a local HTTP receiver.

Each platform's payload and signature is checked by recomputing it here; a refusal
comes back as a ChannelError whose text is what the server or platform said.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time

import pytest

from tenure.briefing.channels import (
    ChannelError,
    SmtpConfig,
    chat_message,
    email_message,
    marked,
    send_email,
    send_webhook,
)
from tenure.briefing.document import BriefingDocument, Item, Section
from tenure.briefing.webhooks import slack_mrkdwn
from tests.briefing.conftest import DAY, DeliveryMailbox, DeliveryReceiver

BASE = "https://tenure.example.com"
NOW = dt.datetime(2026, 12, 4, 0, 31, tzinfo=dt.UTC)
MOBILE = f"{BASE}/m/briefing/{DAY.isoformat()}"


def document(locale: str = "en", items: int = 2) -> BriefingDocument:
    """A briefing with one section of ``items`` customers, as content builds it."""
    rows = [
        Item(f"Customer {n} renews", f"/m/customers/C-{n}", f"${n},000 on 12-1{n}")
        for n in range(items)
    ]
    section = Section(
        key="renewals_due",
        title="Renewals due",
        summary=f"{items} renewals due",
        items=rows,
        link="/m/renewals",
    )
    return BriefingDocument(
        user_id=1,
        date=DAY,
        locale=locale,
        scope="book",
        title=f"Tenure daily briefing — {DAY}",
        headline="MRR $120,000 (+$1,200 yesterday)",
        sections=[section],
        link=f"/m/briefing/{DAY.isoformat()}",
    )


def smtp(box: DeliveryMailbox) -> SmtpConfig:
    """The settings of the test's mail server: no TLS, no sign-in."""
    return SmtpConfig("127.0.0.1", box.port, "none", "", "", "Tenure <t@example.com>")


def test_an_email_has_text_and_html_linking_to_the_mobile_page(
    delivery_mailbox: DeliveryMailbox,
) -> None:
    message = email_message(document(), "ann@example.com", "T <t@x.org>", BASE, NOW)
    send_email(smtp(delivery_mailbox), message)

    (received,) = delivery_mailbox.messages
    assert delivery_mailbox.recipients == [["ann@example.com"]]
    assert received["To"] == "ann@example.com"
    assert received["Subject"] == f"Tenure daily briefing — {DAY}"
    assert received["Message-ID"].endswith("@x.org>") and received["Date"]
    text = received.get_body(("plain",))
    html = received.get_body(("html",))
    assert text is not None and html is not None
    assert MOBILE in text.get_content() and f'href="{MOBILE}"' in html.get_content()
    assert f"{BASE}/m/customers/C-1" in text.get_content()


def test_a_late_briefing_says_so_in_its_subject_and_first_line(
    delivery_mailbox: DeliveryMailbox,
) -> None:
    for locale, mark in (("en", "(late)"), ("zh-CN", "(补发)")):
        doc = marked(document(locale), late=True)
        send_email(
            smtp(delivery_mailbox), email_message(doc, "a@x.org", "t@x.org", BASE, NOW)
        )
        received = delivery_mailbox.messages[-1]
        text = received.get_body(("plain",))
        assert text is not None
        assert received["Subject"].startswith(mark)
        assert text.get_content().splitlines()[0].startswith(mark)
    assert marked(document(), late=False) == document()


def test_a_refusing_mail_server_fails_with_its_reply(
    delivery_mailbox: DeliveryMailbox,
) -> None:
    delivery_mailbox.refusals.append("550 mailbox unavailable")
    message = email_message(document(), "ann@example.com", "t@x.org", BASE, NOW)
    with pytest.raises(
        ChannelError, match=r"^SMTP 550 mailbox unavailable$"
    ) as refused:
        send_email(smtp(delivery_mailbox), message)
    assert not refused.value.final and delivery_mailbox.messages == []


def test_a_mail_server_that_does_not_answer_is_named() -> None:
    from tests.conftest import _free_port

    port = _free_port()
    config = SmtpConfig("127.0.0.1", port, "none", "", "", "t@x.org")
    message = email_message(document(), "a@x.org", "t@x.org", BASE, NOW)
    with pytest.raises(ChannelError, match=f"127.0.0.1:{port} not reached"):
        send_email(config, message)


def test_without_a_mail_server_email_is_off_and_says_so() -> None:
    config = SmtpConfig("", 587, "starttls", "", "", "t@x.org")
    message = email_message(document(), "a@x.org", "t@x.org", BASE, NOW)
    with pytest.raises(ChannelError, match=r"no mail server .*smtp_host") as off:
        send_email(config, message)
    assert off.value.final


def test_wecom_gets_markdown_within_its_4096_bytes(
    delivery_receiver: DeliveryReceiver,
) -> None:
    doc = document("zh-CN", items=200)
    send_webhook(
        "wecom", delivery_receiver.url("/wecom"), None, chat_message(doc, "wecom", BASE)
    )

    (request,) = delivery_receiver.requests
    assert request.body["msgtype"] == "markdown"
    content = request.body["markdown"]["content"]
    assert len(content.encode()) <= 4096
    assert f"({BASE}/m/customers/C-0)" in content and MOBILE in content


def test_dingtalk_is_signed_in_the_query_as_documented(
    delivery_receiver: DeliveryReceiver,
) -> None:
    secret = "SEC0123456789abcdef"
    before = int(time.time() * 1000)
    message = chat_message(document(), "dingtalk", BASE)
    send_webhook(
        "dingtalk", delivery_receiver.url("/dingtalk?access_token=tok"), secret, message
    )

    (request,) = delivery_receiver.requests
    assert request.query["access_token"] == "tok"
    stamp = int(request.query["timestamp"])
    assert before <= stamp <= int(time.time() * 1000)
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256)
    assert request.query["sign"] == base64.b64encode(digest.digest()).decode()
    assert request.body["msgtype"] == "markdown"
    assert request.body["markdown"]["title"] == message.title
    assert (
        f"[Customer 0 renews]({BASE}/m/customers/C-0)"
        in request.body["markdown"]["text"]
    )


def test_feishu_gets_a_signed_card(delivery_receiver: DeliveryReceiver) -> None:
    secret = "feishu-secret"
    send_webhook(
        "feishu",
        delivery_receiver.url("/feishu"),
        secret,
        chat_message(document(), "feishu", BASE),
    )

    (request,) = delivery_receiver.requests
    stamp = request.body["timestamp"]
    assert abs(int(stamp) - time.time()) < 60
    key = f"{stamp}\n{secret}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert request.body["sign"] == expected
    assert request.body["msg_type"] == "interactive"
    card = request.body["card"]
    assert card["header"]["title"]["content"] == f"Tenure daily briefing — {DAY}"
    (element,) = card["elements"]
    assert element["tag"] == "markdown" and MOBILE in element["content"]
    assert not element["content"].startswith("## Tenure daily briefing")


def test_an_unsigned_feishu_bot_gets_no_signature(
    delivery_receiver: DeliveryReceiver,
) -> None:
    send_webhook(
        "feishu",
        delivery_receiver.url("/feishu"),
        None,
        chat_message(document(), "feishu", BASE),
    )
    (request,) = delivery_receiver.requests
    assert "sign" not in request.body and "timestamp" not in request.body


def test_an_older_feishu_reply_counts_as_taken(
    delivery_receiver: DeliveryReceiver,
) -> None:
    delivery_receiver.replies.append(
        (200, '{"StatusCode": 0, "StatusMessage": "success"}')
    )
    send_webhook(
        "feishu",
        delivery_receiver.url("/feishu"),
        None,
        chat_message(document(), "feishu", BASE),
    )
    assert len(delivery_receiver.requests) == 1


def test_slack_gets_blocks_with_its_own_link_syntax(
    delivery_receiver: DeliveryReceiver,
) -> None:
    send_webhook(
        "slack",
        delivery_receiver.url("/slack"),
        None,
        chat_message(document(), "slack", BASE),
    )

    (request,) = delivery_receiver.requests
    assert request.body["text"] == f"Tenure daily briefing — {DAY}"
    header, *sections = request.body["blocks"]
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": request.body["text"]},
    }
    text = "\n".join(block["text"]["text"] for block in sections)
    assert all(block["text"]["type"] == "mrkdwn" for block in sections)
    assert f"• <{BASE}/m/customers/C-0|Customer 0 renews>" in text
    assert f"<{MOBILE}|Open the briefing>" in text
    assert "](" not in text and "**" not in text


def test_slack_mrkdwn_escapes_what_slack_reads_as_markup() -> None:
    converted = slack_mrkdwn("### R&D <team>\n- **A|B** [x|y](https://e.x/a?b=1&c=2)")
    assert converted == "*R&amp;D &lt;team&gt;*\n• *A|B* <https://e.x/a?b=1&c=2|x¦y>"


@pytest.mark.parametrize(
    ("kind", "reply", "error"),
    [
        ("dingtalk", (200, '{"errcode": 310000, "errmsg": "sign not match"}'),
         "DingTalk errcode 310000: sign not match"),
        ("wecom", (200, '{"errcode": 93000, "errmsg": "invalid webhook url"}'),
         "WeCom errcode 93000: invalid webhook url"),
        ("wecom", (500, "Internal Server Error"),
         "WeCom HTTP 500: Internal Server Error"),
        ("feishu", (200, '{"code": 19021, "msg": "sign match fail"}'),
         "Feishu code 19021: sign match fail"),
        ("slack", (400, "invalid_payload"), "Slack HTTP 400: invalid_payload"),
        ("slack", (404, "no_service"), "Slack HTTP 404: no_service"),
    ],
)  # fmt: skip
def test_a_refusal_fails_with_what_the_platform_said(
    delivery_receiver: DeliveryReceiver, kind: str, reply: tuple[int, str], error: str
) -> None:
    delivery_receiver.replies.append(reply)
    with pytest.raises(ChannelError) as refused:
        send_webhook(
            kind,
            delivery_receiver.url(f"/{kind}"),
            None,
            chat_message(document(), kind, BASE),
        )
    assert str(refused.value) == error


def test_a_webhook_nobody_answers_is_not_reached() -> None:
    from tests.conftest import _free_port

    url = f"http://127.0.0.1:{_free_port()}/wecom"
    with pytest.raises(ChannelError, match=r"^WeCom not reached: "):
        send_webhook("wecom", url, None, chat_message(document(), "wecom", BASE))
