"""The demo company's book of business: assignment rules and two past reassignments.

Each region's new accounts go to that region's team, least loaded first; a
Strategic account goes to the region's most senior CSM (the first hired). About
one account in twenty changed hands between CSMs of the same team, some 120 days
ago and some 45 days ago, through the real reassignment service; the calls,
notes and tasks since then are the new owner's, so team figures show who
earned what.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tenure.accounts.models import Account, AccountOwnerHistory
from tenure.auth.scope import principal_for
from tenure.book import rules
from tenure.book.changes import moment
from tenure.book.reassign import preview_reassignment, reassign
from tenure.demo.generator import CHINA_REGIONS
from tenure.demo.org import REGIONS, TEAM_NAMES
from tenure.notifications.models import Notification
from tenure.staff.models import StaffUser, Team
from tenure.tasks.models import Task
from tenure.timeline.models import Activity

log = logging.getLogger(__name__)

MOVED_SHARE = 0.05
MOVED_DAYS_BACK = (120, 45)
REASONS = {
    True: "团队客户调整，平衡工作量",
    False: "Rebalancing the team's book",
}


@dataclass(frozen=True)
class BookStats:
    """What the demo's book of business added."""

    rules: int
    reassigned: int


def load_book(session: Session, today: dt.date, seed: int) -> BookStats:
    """Install the assignment rules, then replay two reassignments in the past."""
    installed = _install_rules(session)
    rng = random.Random(seed)
    moved = sum(
        _reassign_some(session, rng, today - dt.timedelta(days=back))
        for back in MOVED_DAYS_BACK
    )
    log.info("demo book: %d assignment rules, %d accounts moved", installed, moved)
    return BookStats(installed, moved)


def _csms(session: Session, team_id: int) -> list[StaffUser]:
    """The team's active CSMs, first hired first."""
    return list(
        session.scalars(
            select(StaffUser)
            .where(
                StaffUser.team_id == team_id,
                StaffUser.role == "csm",
                StaffUser.is_active.is_(True),
            )
            .order_by(StaffUser.id)
        )
    )


def _install_rules(session: Session) -> int:
    """One Strategic rule and one catch-all rule per region; none if rules exist."""
    if rules.ordered(session):
        return 0
    teams = {n: i for n, i in session.execute(select(Team.name, Team.id))}
    strategic, regional = [], []
    for region in REGIONS:
        team_id = teams.get(TEAM_NAMES[region])
        if team_id is None:
            continue
        csms = _csms(session, team_id)
        if csms:
            strategic.append(
                {
                    "name": f"Strategic · {region}",
                    "conditions": {"tier": ["Strategic"], "region": [region]},
                    "strategy": "user",
                    "user_id": csms[0].id,
                }
            )
        regional.append(
            {
                "name": region,
                "conditions": {"region": [region]},
                "strategy": "least_loaded",
                "team_id": team_id,
            }
        )
    for spec in (*strategic, *regional):
        rules.create_rule(session, spec)
    return len(strategic) + len(regional)


def _reassign_some(session: Session, rng: random.Random, day: dt.date) -> int:
    """Move a few accounts owned since before ``day`` to a teammate on ``day``."""
    admin = session.scalar(
        select(StaffUser).where(StaffUser.role == "admin").order_by(StaffUser.id)
    )
    if admin is None:
        return 0
    owned_since = (
        select(Account.external_id, Account.region, StaffUser.id, StaffUser.team_id)
        .join(StaffUser, StaffUser.id == Account.owner_id)
        .join(AccountOwnerHistory, AccountOwnerHistory.account_id == Account.id)
        .where(
            AccountOwnerHistory.end_date.is_(None),
            AccountOwnerHistory.start_date < day,
            StaffUser.role == "csm",
        )
        .order_by(Account.external_id)
    )
    candidates = list(session.execute(owned_since))
    total = session.scalar(select(func.count()).select_from(Account)) or 0
    chosen = rng.sample(
        candidates, min(len(candidates), round(total * MOVED_SHARE / 2))
    )
    groups: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for external_id, region, owner, team_id in chosen:
        if team_id is None:
            continue
        mates = [u.email for u in _csms(session, team_id) if u.id != owner]
        if mates:
            groups[(rng.choice(mates), region in CHINA_REGIONS)].append(external_id)
    principal = principal_for(admin)
    moved = 0
    for (to, chinese), accounts in sorted(groups.items()):
        spec = {
            "account_ids": accounts,
            "to": to,
            "day": day,
            "reason": REASONS[chinese],
        }
        shown = preview_reassignment(session, principal, spec)
        before = session.scalar(select(func.max(Notification.id))) or 0
        done = reassign(session, principal, {**spec, "expected": shown.moves})
        _hand_over_since(session, shown.moves, day)
        # The notices were sent and read back then.
        when = moment(session, day)
        session.execute(
            update(Notification)
            .where(Notification.id > before)
            .values(created_at=when, read_at=when)
        )
        moved += done.preview.details()["count"]
    return moved


def _hand_over_since(
    session: Session, moves: list[dict[str, object]], day: dt.date
) -> None:
    """Make the new owner the author of the work logged on the accounts since."""
    since = moment(session, day)
    for move in moves:
        account = select(Account.id).where(Account.external_id == move["account_id"])
        old, new = move["from_id"], move["to_id"]
        session.execute(
            update(Activity)
            .where(
                Activity.account_id.in_(account),
                Activity.author_id == old,
                Activity.occurred_at >= since,
            )
            .values(author_id=new)
        )
        for column in (Task.assignee_id, Task.completed_by_id):
            session.execute(
                update(Task)
                .where(
                    Task.account_id.in_(account),
                    column == old,
                    Task.created_at >= since,
                )
                .values({column: new})
            )
    session.flush()
