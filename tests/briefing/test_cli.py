"""``tenure briefing``: preview, subscribe, send (once), status, webhooks.

The commands run on the test's database (both backends) with a real SMTP server.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tenure.briefing.models import Briefing, BriefingPreference, ChatWebhook
from tenure.db.session import transaction
from tenure.notifications.models import Notification
from tenure.staff.models import StaffUser
from tests.briefing.conftest import DAY, DeliveryMailbox, delivery_settings
from tests.revenue.conftest import Tenure, tenure

__all__ = ["tenure"]

EMAIL = "exec@example.com"


def staff(factory: sessionmaker[Session], email: str = EMAIL) -> int:
    """An executive in Shanghai; their id."""
    with transaction(factory) as session:
        user = StaffUser(
            email=email, name="Exec", role="executive", timezone="Asia/Shanghai"
        )
        session.add(user)
        session.flush()
        return user.id


def count(factory: sessionmaker[Session], model: type) -> int:
    """How many rows ``model``'s table holds."""
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_preview_prints_the_briefing_and_writes_nothing(
    tenure: Tenure, factory: sessionmaker[Session]
) -> None:
    delivery_settings(factory)
    staff(factory)

    text = tenure("briefing", "preview", "--user", EMAIL, "--date", DAY.isoformat())
    html = tenure("briefing", "preview", "--user", EMAIL, "--date", "2026-12-04",
                  "--format", "html")  # fmt: skip
    markdown = tenure("briefing", "preview", "--user", EMAIL, "--format", "markdown")

    assert text.startswith(f"Tenure daily briefing — {DAY}\n")
    assert f"https://tenure.example.com/m/briefing/{DAY}" in text
    assert html.startswith("<!DOCTYPE html>") and markdown.startswith("## Tenure")
    assert count(factory, Briefing) == 0 and count(factory, Notification) == 0


def test_an_unknown_user_is_named(tenure: Tenure) -> None:
    result = tenure.run("briefing", "preview", "--user", "nobody@example.com")
    assert result.exit_code == 2
    assert "--user: no active staff user 'nobody@example.com'" in result.output


def test_subscribing_checks_the_time_and_keeps_the_channels(
    tenure: Tenure, factory: sessionmaker[Session]
) -> None:
    user = staff(factory)

    bad = tenure.run("briefing", "subscribe", "--user", EMAIL, "--time", "25:00")
    assert bad.exit_code == 2 and "send_time '25:00'" in bad.output
    out = tenure("briefing", "subscribe", "--user", EMAIL, "--time", "7:45",
                 "--no-in-app")  # fmt: skip

    assert out.strip() == f"{EMAIL} subscribed at 07:45 Asia/Shanghai (email)"
    with factory() as session:
        pref = session.get_one(BriefingPreference, user)
        assert (pref.enabled, pref.send_time, pref.email, pref.in_app) == (
            True,
            "07:45",
            True,
            False,
        )
    assert tenure("briefing", "unsubscribe", "--user", EMAIL).strip() == (
        f"{EMAIL} unsubscribed"
    )


def test_send_sends_once_and_says_so_the_second_time(
    tenure: Tenure, factory: sessionmaker[Session], delivery_mailbox: DeliveryMailbox
) -> None:
    delivery_settings(factory, delivery_mailbox)
    staff(factory)
    tenure("briefing", "subscribe", "--user", EMAIL, "--no-in-app")

    first = tenure("briefing", "send", "--user", EMAIL, "--date", DAY.isoformat())
    again = tenure.run("briefing", "send", "--date", DAY.isoformat())

    assert first.strip() == f"{EMAIL} {DAY} email: sent"
    assert again.exit_code == 0
    assert again.stdout.strip() == f"{EMAIL} {DAY}: already sent; not sent again"
    assert len(delivery_mailbox.messages) == 1
    with factory() as session:
        briefing = session.scalars(select(Briefing)).one()
        assert (briefing.origin, briefing.late) == ("manual", False)


def test_a_failed_send_prints_the_error_and_status_shows_it(
    tenure: Tenure, factory: sessionmaker[Session], delivery_mailbox: DeliveryMailbox
) -> None:
    delivery_settings(factory, delivery_mailbox)
    staff(factory)
    tenure("briefing", "subscribe", "--user", EMAIL, "--no-in-app")
    delivery_mailbox.refusals.append("550 mailbox unavailable")

    failed = tenure.run("briefing", "send", "--user", EMAIL, "--date", "2026-12-04")
    status = tenure("briefing", "status", "--date", "2026-12-04", "--format", "csv")
    retried = tenure("briefing", "send", "--user", EMAIL, "--date", "2026-12-04")

    assert failed.exit_code == 1
    assert "email: SMTP 550 mailbox unavailable (tried again later)" in failed.output
    header, row = status.splitlines()
    assert header.startswith("date,user,origin,late,channel,status,attempts")
    assert row.startswith(f"2026-12-04,{EMAIL},manual,False,email,pending,1,")
    assert row.endswith("SMTP 550 mailbox unavailable")
    assert retried.strip() == f"{EMAIL} {DAY} email: sent"


def test_sending_to_someone_not_subscribed_is_refused(
    tenure: Tenure, factory: sessionmaker[Session]
) -> None:
    staff(factory)
    result = tenure.run("briefing", "send", "--user", EMAIL)
    assert result.exit_code == 2 and f"{EMAIL} is not subscribed" in result.output


def test_a_webhook_is_added_after_its_values_are_checked(
    tenure: Tenure, factory: sessionmaker[Session]
) -> None:
    user = staff(factory)
    url = "https://oapi.dingtalk.com/robot/send?access_token=abc"

    bad_kind = tenure.run("briefing", "webhook-add", "--user", EMAIL, "--kind", "icq",
                          "--url", url)  # fmt: skip
    bad_url = tenure.run("briefing", "webhook-add", "--user", EMAIL, "--kind",
                         "dingtalk", "--url", "ftp://x")  # fmt: skip
    out = tenure("briefing", "webhook-add", "--user", EMAIL, "--kind", "dingtalk",
                 "--url", url, "--secret", "SEC1", "--name", "Sales group")  # fmt: skip

    assert (
        bad_kind.exit_code == 2
        and "--kind: kind 'icq': must be one of" in bad_kind.output
    )
    assert bad_url.exit_code == 2 and "--url: url 'ftp://x'" in bad_url.output
    assert out.endswith(f"(dingtalk, Sales group) added for {EMAIL}\n")
    with factory() as session:
        hook = session.scalars(select(ChatWebhook)).one()
        assert (hook.user_id, hook.secret, hook.active) == (user, "SEC1", True)
