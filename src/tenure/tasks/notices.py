"""Tell people when someone else gives them tasks, in their own language."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.orm import Session

from tenure.auth.scope import Principal
from tenure.notifications.service import notify
from tenure.staff.models import StaffUser
from tenure.tasks.models import Task
from tenure.web.i18n import translator

log = logging.getLogger(__name__)


def tell_assignee(
    session: Session,
    assignee_id: int | None,
    principal: Principal,
    tasks: Sequence[Task],
) -> None:
    """Notify ``assignee_id`` of ``tasks`` given to them by ``principal``.

    Nobody is told of tasks they took themselves; one notice covers many tasks.
    """
    if assignee_id is None or assignee_id == principal.user_id or not tasks:
        return
    person = session.get(StaffUser, assignee_id)
    if person is None or not person.is_active:
        return
    t = translator(person.locale)
    if len(tasks) == 1:
        task = tasks[0]
        title = t("work.notice_assigned", title=task.title, name=principal.name)
        link = f"/tasks/{task.id}"
    else:
        title = t("work.notice_assigned_many", count=len(tasks), name=principal.name)
        link = "/tasks"
    notify(
        session,
        assignee_id,
        "task_assigned",
        title,
        link=link,
        details={"task_ids": [task.id for task in tasks], "by": principal.email},
    )
