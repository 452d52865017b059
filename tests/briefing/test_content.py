"""The briefing's content: what each role sees of yesterday and of what is due."""

from __future__ import annotations

import dataclasses

from tenure.auth.scope import principal_for
from tenure.briefing.content import build_briefing
from tenure.briefing.document import SECTION_KEYS, BriefingDocument, Section
from tenure.health.models import HealthSnapshot
from tenure.settings.service import set_value
from tenure.staff.models import StaffUser
from tenure.tasks.changes import complete_task
from tenure.tasks.service import create_task
from tests.briefing.conftest import DAY, YESTERDAY, ContentCompany, content_day


def _section(doc: BriefingDocument, key: str) -> Section:
    return next(s for s in doc.sections if s.key == key)


def _texts(doc: BriefingDocument, key: str) -> list[str]:
    return [item.text for item in _section(doc, key).items]


def test_a_csm_gets_every_section_in_order_for_their_own_book(
    content_company: ContentCompany,
) -> None:
    c = content_company

    doc = build_briefing(c.session, c.ann, DAY)

    assert doc.scope == "book"
    assert [s.key for s in doc.sections] == list(SECTION_KEYS)
    assert _texts(doc, "new_customers") == ["ANN-NEW"]
    assert _texts(doc, "churned_customers") == ["ANN-GONE"]
    assert _texts(doc, "renewals_due") == ["ANN-NEW", "ANN-EXP"]
    assert _texts(doc, "health_fell") == ["ANN-EXP"]
    assert _section(doc, "mrr_change").summary == "MRR $723.00 (+$323.00 yesterday)"


def test_the_mrr_section_adds_yesterdays_movements_by_kind(
    content_company: ContentCompany,
) -> None:
    c = content_company

    doc = build_briefing(c.session, c.executive, DAY)

    mrr = _section(doc, "mrr_change")
    assert [(i.text, i.detail) for i in mrr.items] == [
        ("New", "+$500.00 · 1 customer"),
        ("Expansion", "+$123.00 · 1 customer"),
        ("Reactivation", "+$200.00 · 1 customer"),
        ("Contraction", "-$40.00 · 1 customer"),
        ("Churn", "-$300.00 · 1 customer"),
        ("FX impact", "+$1.50 · 1 customer"),
    ]
    assert mrr.summary == "MRR $1,084 (+$484.50 yesterday)"
    assert mrr.link == f"/m/movements/{YESTERDAY.isoformat()}"


def test_a_returning_customer_counts_among_the_new_and_says_so(
    content_company: ContentCompany,
) -> None:
    c = content_company

    doc = build_briefing(c.session, c.manager, DAY)

    new = _section(doc, "new_customers")
    assert new.summary == "1 new and 1 returning customers, +$700.00 MRR"
    assert [(i.text, i.detail) for i in new.items] == [
        ("ANN-NEW", "+$500.00 MRR"),
        ("BO-BACK", "+$200.00 MRR · returning"),
    ]
    assert new.items[1].link == "/m/customers/BO-BACK"


def test_a_manager_sees_the_team_and_its_overdue_tasks_but_not_another_team(
    content_company: ContentCompany,
) -> None:
    c = content_company

    doc = build_briefing(c.session, c.manager, DAY)

    assert doc.scope == "team"
    every_text = [item.text for section in doc.sections for item in section.items]
    assert not [text for text in every_text if text.startswith("CY-")]
    tasks = _section(doc, "tasks_due")
    assert tasks.summary == "No tasks due"
    assert [(i.text, i.link) for i in tasks.items] == [
        ("Team: 2 overdue tasks", "/m/tasks?view=team")
    ]


def test_an_executive_sees_the_company_and_no_task_section_without_tasks(
    content_company: ContentCompany,
) -> None:
    c = content_company

    doc = build_briefing(c.session, c.executive, DAY)

    assert doc.scope == "company"
    assert "tasks_due" not in [s.key for s in doc.sections]
    # Biggest MRR first: ANN-EXP is at $223.00, CY-DOWN at $60.00.
    assert _texts(doc, "health_fell") == ["ANN-EXP", "CY-DOWN"]
    renewals = _section(doc, "renewals_due")
    assert _texts(doc, "renewals_due") == ["ANN-NEW", "ANN-EXP", "CY-DOWN"]
    assert renewals.summary == "3 renewals due in 30 days, $3,600 (1 overdue)"
    assert renewals.items[0].detail == "overdue, was due 2026-12-01 · $1,200"


def test_an_executive_with_a_task_due_gets_the_task_section(
    content_company: ContentCompany,
) -> None:
    c = content_company
    create_task(c.session, account_id=c.accounts["fx"], type="follow_up",
                title="Board pack", actor_id=None, assignee_id=c.executive.id,
                due_on=DAY)  # fmt: skip

    doc = build_briefing(c.session, c.executive, DAY)

    assert _texts(doc, "tasks_due") == ["Board pack"]


def test_tasks_due_are_the_users_open_ones_due_by_the_day_overdue_first(
    content_company: ContentCompany,
) -> None:
    c = content_company
    done = create_task(c.session, account_id=c.accounts["new"], type="risk",
                       title="Already done", actor_id=None, assignee_id=c.ann.id,
                       due_on=content_day(-5))  # fmt: skip
    complete_task(c.session, done.id, principal_for(c.ann), outcome="Called")

    doc = build_briefing(c.session, c.ann, DAY)

    tasks = _section(doc, "tasks_due")
    assert tasks.summary == "2 tasks due (1 overdue)"
    assert [(i.text, i.detail) for i in tasks.items] == [
        ("Call about overdue", "ANN-EXP · 2 days overdue"),
        ("Call about today", "ANN-EXP · due today"),
    ]
    assert tasks.items[0].link == f"/m/tasks/{c.tasks['overdue']}"


def test_a_rise_in_health_is_not_a_fall(content_company: ContentCompany) -> None:
    c = content_company

    doc = build_briefing(c.session, c.cy, DAY)

    health = _section(doc, "health_fell")
    assert [(i.text, i.detail) for i in health.items] == [
        ("CY-DOWN", "Yellow → Red (75.0 → 30.0)")
    ]


def test_the_headline_sums_up_the_day_for_the_lock_screen(
    content_company: ContentCompany,
) -> None:
    c = content_company

    doc = build_briefing(c.session, c.ann, DAY)

    assert doc.headline == (
        "MRR +$323.00 · 1 new · 1 churned · 1 renewal overdue · 2 tasks due · "
        "1 fell in health"
    )
    assert doc.title == "Tenure daily briefing — 2026-12-04"
    assert doc.link == "/m/briefing/2026-12-04"


def test_a_quiet_day_still_lists_every_section_saying_nothing_happened(
    content_company: ContentCompany,
) -> None:
    c = content_company
    quiet = content_day(100)

    doc = build_briefing(c.session, c.ann, quiet)

    summaries = {s.key: s.summary for s in doc.sections}
    assert summaries == {
        "mrr_change": "MRR $723.00; no change yesterday",
        "new_customers": "No new customers yesterday",
        "churned_customers": "No customers churned yesterday",
        "renewals_due": "2 renewals due in 30 days, $2,400 (2 overdue)",
        "tasks_due": "3 tasks due (3 overdue)",
        "health_fell": "No customer's health fell yesterday",
    }
    assert doc.headline.startswith("MRR unchanged")


def test_zh_cn_readers_get_chinese_words_and_yuan(
    content_company: ContentCompany,
) -> None:
    c = content_company
    set_value(c.session, "reporting_currency", "CNY")
    c.ann.locale = "zh-CN"

    doc = build_briefing(c.session, c.ann, DAY)

    assert doc.locale == "zh-CN"
    assert doc.title == "Tenure 每日简报 — 2026-12-04"
    assert _section(doc, "mrr_change").summary == "MRR ¥723.00（昨日 +¥323.00）"
    assert _section(doc, "new_customers").title == "新增客户"
    assert _section(doc, "health_fell").items[0].detail == "绿 → 红（75.0 → 30.0）"
    assert doc.headline.startswith("MRR +¥323.00 · 新增 1 · 流失 1")


def test_an_unknown_locale_reads_english(content_company: ContentCompany) -> None:
    c = content_company
    c.ann.locale = "fr"

    assert build_briefing(c.session, c.ann, DAY).locale == "en"


def test_at_most_ten_customers_are_listed_biggest_first_and_the_rest_counted(
    content_company: ContentCompany,
) -> None:
    c = content_company
    for number in range(12):
        c.company.customer(f"BIG-{number:02}", mrr=1_000 * (number + 1),
                           since=YESTERDAY, owner_id=c.cy.id)  # fmt: skip

    doc = build_briefing(c.session, c.cy, DAY)

    new = _section(doc, "new_customers")
    assert len(new.items) == 10
    assert new.more == 2
    assert new.items[0].text == "BIG-11"
    assert new.summary == "12 new customers, +$780.00 MRR"


def test_a_briefing_survives_its_json_round_trip(
    content_company: ContentCompany,
) -> None:
    c = content_company
    doc = build_briefing(c.session, c.manager, DAY)

    again = BriefingDocument.from_json(doc.to_json())

    assert again == doc
    assert dataclasses.asdict(again) == dataclasses.asdict(doc)


def test_a_user_without_a_known_role_sees_an_empty_book(
    content_company: ContentCompany,
) -> None:
    c = content_company
    stranger = StaffUser(email="x@example.com", name="X", role="auditor")
    c.session.add(stranger)
    c.session.flush()

    doc = build_briefing(c.session, stranger, DAY)

    assert doc.scope == "book"
    assert _section(doc, "new_customers").items == []


def test_a_fall_is_read_against_each_accounts_own_latest_earlier_snapshot(
    content_company: ContentCompany,
) -> None:
    c = content_company
    for account, day, band in (
        # Not scored on the latest scored day before yesterday: read from day -6.
        (c.accounts["new"], content_day(-6), "green"),
        (c.accounts["new"], YESTERDAY, "yellow"),
        # Red long ago, green since: staying green is no fall.
        (c.accounts["churn"], content_day(-6), "red"),
        (c.accounts["churn"], content_day(-3), "green"),
        (c.accounts["churn"], YESTERDAY, "green"),
        # Today's snapshot is not yesterday's news.
        (c.accounts["expansion"], DAY, "green"),
    ):
        c.session.add(HealthSnapshot(account_id=account, as_of=day, band=band,
                                     score=50.0))  # fmt: skip
    c.session.flush()

    doc = build_briefing(c.session, c.ann, DAY)

    assert _texts(doc, "health_fell") == ["ANN-NEW", "ANN-EXP"]
    assert _section(doc, "health_fell").items[0].detail == (
        "Green → Yellow (50.0 → 50.0)"
    )
