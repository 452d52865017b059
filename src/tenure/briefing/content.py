"""Build one user's daily briefing: yesterday in their scope, and what is due.

The briefing for local date ``day`` reports on ``day - 1`` (movements, new and
churned customers, health falls) and looks ahead from ``day`` (renewals due, tasks
due). Executives see the company, managers their team, CSMs their own book. Words
come from the i18n messages in the user's language; amounts are in the reporting
currency.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.auth.scope import principal_for
from tenure.briefing import reads
from tenure.briefing.document import BriefingDocument, Section
from tenure.briefing.models import Briefing
from tenure.briefing.sections import (
    Words,
    health_fell,
    movement_sections,
    renewals_due,
    tasks_due,
)
from tenure.revenue.loading import load_policy
from tenure.revenue.models import RevenueFactState
from tenure.revenue.service import StaleFactsError, fact_currency
from tenure.staff.models import StaffUser
from tenure.web.i18n import DEFAULT_LOCALE, LOCALES, translator

log = logging.getLogger(__name__)


def briefing_locale(user: StaffUser) -> str:
    """The language of ``user``'s briefing: theirs when supported, else English."""
    return user.locale if user.locale in LOCALES else DEFAULT_LOCALE


def reporting_currency(session: Session) -> str:
    """The currency the stored facts are in, even when a rebuild is pending."""
    try:
        return fact_currency(session)
    except StaleFactsError:
        stored = session.scalar(select(RevenueFactState.reporting_currency))
        log.warning("revenue facts are stale; briefing amounts stay in %s", stored)
        return stored or load_policy(session).reporting_currency


def build_briefing(session: Session, user: StaffUser, day: dt.date) -> BriefingDocument:
    """Return ``user``'s briefing for local date ``day``, reporting on the day prior."""
    locale = briefing_locale(user)
    principal = principal_for(user)
    scope = reads.scope_of(session, principal)
    words = Words(translator(locale), reporting_currency(session), locale)
    yesterday = day - dt.timedelta(days=1)

    mrr, new, churned, headline = movement_sections(session, words, scope, yesterday)
    renewals, renewal_counts = renewals_due(session, words, scope, day)
    sections: list[Section] = [mrr, new, churned, renewals]
    tasks, task_count = tasks_due(session, words, user.id, scope, day)
    if task_count or scope.name != "company" or tasks.items:
        sections.append(tasks)
    health, falls = health_fell(session, words, scope, yesterday)
    sections.append(health)

    t = words.t
    parts = [*headline]
    for key, count in (
        ("brief.head.renewals", renewal_counts.this_week),
        ("brief.head.renewals_overdue", renewal_counts.overdue),
        ("brief.head.tasks", task_count),
        ("brief.head.health", falls),
    ):
        if count:
            parts.append(words.count(key, count))
    log.info(
        "briefing built for %s on %s (%s scope)",
        user.email,
        day,
        scope.name,
        extra={"user_id": user.id, "briefing_date": day.isoformat()},
    )
    return BriefingDocument(
        user_id=user.id,
        date=day,
        locale=locale,
        scope=scope.name,
        title=t("brief.title", date=day.isoformat()),
        headline=" · ".join(parts),
        sections=sections,
        link=f"/m/briefing/{day.isoformat()}",
    )


def stored_or_built(
    session: Session, user: StaffUser, day: dt.date
) -> BriefingDocument:
    """The briefing ``user`` was sent for ``day``, else one built now."""
    content = session.scalar(
        select(Briefing.content).where(
            Briefing.user_id == user.id, Briefing.briefing_date == day
        )
    )
    if content:
        try:
            return BriefingDocument.from_json(content)
        except (KeyError, TypeError, ValueError):
            log.warning(
                "stored briefing of %s on %s is unreadable; building it again",
                user.email,
                day,
            )
    return build_briefing(session, user, day)
