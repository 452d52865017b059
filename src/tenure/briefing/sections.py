"""The sections of a briefing, each from one read, in the reader's words.

Each function returns a ``Section`` with a one-line summary and at most
``LIST_LIMIT`` items (``more`` counts the rest, which the section's link shows).
An empty section still says so: "nothing happened" is information too.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from tenure.briefing import reads
from tenure.briefing.document import Item, Section
from tenure.briefing.falls import BandFall, health_falls
from tenure.health.measures import Label
from tenure.money import to_major
from tenure.revenue.models import MOVEMENT_KINDS
from tenure.web.i18n import MESSAGES, money_text

log = logging.getLogger(__name__)

LIST_LIMIT = 10


@dataclass(frozen=True)
class Words:
    """The reader's messages and the reporting currency amounts are shown in."""

    t: Callable[..., str]
    currency: str
    locale: str

    def money(self, minor: int) -> str:
        """An amount in minor units as money text: ¥1,234,000."""
        return money_text(to_major(minor, self.currency), self.currency)

    def signed(self, minor: int) -> str:
        """A change in minor units with its sign: +¥12,300, -¥4,000, ¥0."""
        text = self.money(minor)
        return f"+{text}" if minor > 0 else text

    def count(self, key: str, count: int, **values: object) -> str:
        """A message with a count, in its ``.one`` form (if any) when the count is 1."""
        singular = f"{key}.one"
        chosen = singular if count == 1 and singular in MESSAGES else key
        return self.t(chosen, count=count, **values)

    def band(self, name: str, label: Label | None) -> str:
        """A health band's name as the scorecard labels it."""
        if label is None:
            return self.t(f"band.{name}")
        return label.zh_cn if self.locale == "zh-CN" else label.en


def _section(
    key: str,
    words: Words,
    summary: str,
    items: list[Item],
    link: str | None,
    limit: int = LIST_LIMIT,
) -> Section:
    """A section listing the first ``limit`` items of ``items``."""
    shown = items[:limit]
    return Section(
        key=key,
        title=words.t(f"brief.section.{key}"),
        summary=summary,
        items=shown,
        more=len(items) - len(shown),
        link=link,
    )


def movement_sections(
    session: Session, words: Words, scope: reads.Scope, yesterday: dt.date
) -> tuple[Section, Section, Section, list[str]]:
    """The MRR change, new and churned customer sections, and headline parts."""
    t = words.t
    movements = reads.movements_on(session, scope, yesterday)
    link = f"/m/movements/{yesterday.isoformat()}"
    by_kind = {
        kind: [m for m in movements if m.kind == kind] for kind in MOVEMENT_KINDS
    }
    net = sum(m.amount for m in movements)
    mrr = words.money(reads.mrr_now(session, scope))

    kind_items = [
        Item(
            text=t(f"kind.{kind}"),
            link=f"{link}?kind={kind}",
            detail=words.count(
                "brief.mrr.kind_detail",
                len(found),
                amount=words.signed(sum(m.amount for m in found)),
            ),
        )
        for kind, found in by_kind.items()
        if found
    ]
    summary = (
        t("brief.mrr.summary", mrr=mrr, change=words.signed(net))
        if movements
        else t("brief.mrr.none", mrr=mrr)
    )
    mrr_section = _section("mrr_change", words, summary, kind_items, link)

    arrivals = sorted(
        by_kind["new"] + by_kind["reactivation"], key=lambda m: -abs(m.amount)
    )
    new_section = _section(
        "new_customers",
        words,
        _arrivals_summary(words, by_kind["new"], by_kind["reactivation"]),
        [_customer_item(words, m) for m in arrivals],
        f"{link}?kind=new&kind=reactivation",
    )
    churn = by_kind["churn"]
    churn_summary = (
        words.count(
            "brief.churned.summary",
            len(churn),
            amount=words.signed(sum(m.amount for m in churn)),
        )
        if churn
        else t("brief.churned.none")
    )
    churn_section = _section(
        "churned_customers",
        words,
        churn_summary,
        [_customer_item(words, m) for m in churn],
        f"{link}?kind=churn",
    )

    headline = [
        t("brief.head.mrr", change=words.signed(net))
        if net
        else t("brief.head.mrr_flat")
    ]
    if arrivals:
        headline.append(t("brief.head.new", count=len(arrivals)))
    if churn:
        headline.append(t("brief.head.churned", count=len(churn)))
    return mrr_section, new_section, churn_section, headline


def _arrivals_summary(
    words: Words, new: list[reads.Movement], returning: list[reads.Movement]
) -> str:
    """'2 new customers, +¥8,000 MRR', saying how many of them returned."""
    amount = words.signed(sum(m.amount for m in new + returning))
    if not new and not returning:
        return words.t("brief.new.none")
    if not returning:
        return words.count("brief.new.summary", len(new), amount=amount)
    return words.t(
        "brief.new.returning", new=len(new), returning=len(returning), amount=amount
    )


def _customer_item(words: Words, movement: reads.Movement) -> Item:
    """One customer's movement: name, amount and whether they came back."""
    detail = words.t("brief.customer.detail", amount=words.signed(movement.amount))
    if movement.kind == "reactivation":
        detail = f"{detail} · {words.t('brief.customer.returning')}"
    return Item(
        text=movement.name,
        link=f"/m/customers/{movement.external_id}",
        detail=detail,
    )


def renewals_due(
    session: Session, words: Words, scope: reads.Scope, day: dt.date
) -> tuple[Section, reads.RenewalCounts]:
    """Open renewal terms due in the next 30 days, overdue ones marked."""
    t = words.t
    counts = reads.renewal_counts(session, scope, day)
    terms = reads.renewals_due(session, scope, day, limit=LIST_LIMIT)
    items = [
        Item(
            text=term.name,
            link=f"/m/customers/{term.external_id}",
            detail=t(
                "brief.renewals.overdue_detail"
                if term.overdue
                else "brief.renewals.detail",
                date=term.due_date.isoformat(),
                amount=words.money(term.amount),
            ),
        )
        for term in terms
    ]
    if not counts.total:
        summary = t("brief.renewals.none", days=reads.RENEWAL_DAYS)
    else:
        summary = words.count(
            "brief.renewals.summary",
            counts.total,
            days=reads.RENEWAL_DAYS,
            amount=words.money(counts.amount),
        )
        if counts.overdue:
            summary += t("brief.renewals.overdue_note", count=counts.overdue)
    section = _section("renewals_due", words, summary, items, "/m/renewals")
    return replace(section, more=counts.total - len(items)), counts


def tasks_due(
    session: Session, words: Words, user_id: int, scope: reads.Scope, day: dt.date
) -> tuple[Section, int]:
    """The user's open tasks due by ``day``, overdue first; managers' team line."""
    t = words.t
    rows, total = reads.tasks_due(session, user_id, day, limit=LIST_LIMIT)
    items = [_task_item(words, row, day) for row in rows]
    overdue = sum(1 for row in rows if row.due_on < day)
    if not total:
        summary = t("brief.tasks.none")
    else:
        summary = words.count("brief.tasks.summary", total)
        if overdue:
            summary += t("brief.tasks.overdue_note", count=overdue)
    more = total - len(items)
    if scope.name == "team":
        team = reads.team_overdue(session, scope, day)
        items.append(
            Item(
                text=words.count("brief.tasks.team", team),
                link="/m/tasks?view=team",
            )
        )
    section = Section(
        key="tasks_due",
        title=t("brief.section.tasks_due"),
        summary=summary,
        items=items,
        more=more,
        link="/m/tasks",
    )
    return section, total


def _task_item(words: Words, row: reads.TaskDue, day: dt.date) -> Item:
    """One task: its title, account and how late it is."""
    late = (day - row.due_on).days
    when = (
        words.t("brief.tasks.due_today")
        if late <= 0
        else words.count("brief.tasks.late", late)
    )
    return Item(
        text=row.title,
        link=f"/m/tasks/{row.id}",
        detail=f"{row.account} · {when}",
    )


def health_fell(
    session: Session,
    words: Words,
    scope: reads.Scope,
    yesterday: dt.date,
    limit: int = LIST_LIMIT,
) -> tuple[Section, int]:
    """Accounts whose health band fell yesterday, biggest MRR first."""
    falls = health_falls(session, scope, yesterday)
    items = [
        Item(
            text=fall.name,
            link=f"/m/customers/{fall.external_id}",
            detail=words.t(
                "brief.health.detail",
                before=words.band(fall.from_band, fall.from_label),
                after=words.band(fall.to_band, fall.to_label),
                scores=_scores(fall),
            ),
        )
        for fall in falls
    ]
    summary = (
        words.count("brief.health.summary", len(falls))
        if falls
        else words.t("brief.health.none")
    )
    link = f"/m/health/{yesterday.isoformat()}"
    section = _section("health_fell", words, summary, items, link, limit)
    return section, len(falls)


def _scores(fall: BandFall) -> str:
    """'72.0 → 35.5', with a dash for a missing score."""
    return " → ".join(
        "–" if score is None else f"{score:.1f}"
        for score in (fall.from_score, fall.to_score)
    )
