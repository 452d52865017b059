"""Tier rules: the ordered list that gives every account its tier and priority.

The first rule (lowest position) whose filter an account matches sets the
account's tier and priority. An account no rule matches keeps its tier (as
imported) and has no priority; with no rules at all nothing changes. Every tier
change is written to the customer's timeline as a system entry.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.db.base import utcnow
from tenure.segments import facts, matching
from tenure.segments.models import TierRule
from tenure.segments.schemas import SegmentError, TierSpec, checked
from tenure.timeline.models import Activity

log = logging.getLogger(__name__)

Row = dict[str, Any]
# Accounts changed by one UPDATE statement.
_CHUNK = 5_000


@dataclass(frozen=True)
class TierStats:
    """What one assignment did: accounts seen, tiers and priorities changed."""

    accounts: int = 0
    changed: int = 0
    priorities_changed: int = 0
    unmatched: int = 0
    by_tier: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def details(self) -> dict[str, Any]:
        """The figures as JSON-ready data, as a job run records them."""
        return {
            "accounts": self.accounts,
            "changed": self.changed,
            "priorities_changed": self.priorities_changed,
            "unmatched": self.unmatched,
            "by_tier": dict(sorted(self.by_tier.items())),
            "assign_seconds": round(self.seconds, 3),
        }


def list_tier_rules(session: Session) -> list[TierRule]:
    """Every tier rule, first position first."""
    statement = select(TierRule).order_by(TierRule.position, TierRule.id)
    return list(session.scalars(statement))


def spec_of(rule: TierRule) -> TierSpec:
    """A stored tier rule as the spec it was written from."""
    data = {"tier": rule.tier, "priority": rule.priority, "definition": rule.definition}
    return checked(TierSpec, data, f"tier '{rule.tier}'")


def tier_row(rule: TierRule) -> Row:
    """A tier rule as plain values."""
    return {
        "tier": rule.tier,
        "position": rule.position,
        "priority": rule.priority,
        "definition": dict(rule.definition or {}),
    }


def replace_tier_rules(
    session: Session, rules: Sequence[TierSpec | Mapping[str, Any]]
) -> list[TierRule]:
    """Replace the whole ordered list of tier rules, all or nothing.

    Every rule is checked first; tier names must be unique (ignoring case). An
    empty list removes every rule, after which tiers are left as they are.
    """
    specs = [checked(TierSpec, rule, f"tiers[{n}]") for n, rule in enumerate(rules)]
    seen: dict[str, int] = {}
    for number, spec in enumerate(specs):
        name = spec.tier.casefold()
        if name in seen:
            raise SegmentError(
                f"tiers[{number}].tier",
                spec.tier,
                f"is already the tier of tiers[{seen[name]}]",
            )
        seen[name] = number
    savepoint = session.begin_nested()
    try:
        session.execute(delete(TierRule))
        rows = [
            TierRule(
                tier=spec.tier,
                position=position,
                priority=spec.priority,
                definition=spec.definition.stored(),
            )
            for position, spec in enumerate(specs)
        ]
        session.add_all(rows)
        session.flush()
        savepoint.commit()
    except BaseException:
        savepoint.rollback()
        raise
    log.info("tier rules replaced: %s", ", ".join(s.tier for s in specs) or "none")
    return rows


def choose_tier(
    tests: Sequence[tuple[str, int, matching.Test]], found: matching.AccountFacts
) -> tuple[str, int] | None:
    """The tier and priority of the first rule ``found`` matches, if any."""
    for tier, priority, test in tests:
        if test(found):
            return tier, priority
    return None


def assign_tiers(session: Session, as_of: dt.date) -> TierStats:
    """Set every account's tier and priority from the tier rules on ``as_of``.

    A rerun on the same data changes nothing and writes no timeline entry.
    """
    started = time.perf_counter()
    specs = [spec_of(rule) for rule in list_tier_rules(session)]
    if not specs:
        log.info("no tier rules: every account keeps its tier")
        return TierStats()
    tests = [(s.tier, s.priority, matching.matcher(s.definition)) for s in specs]
    loaded = facts.load(session, [s.definition for s in specs], as_of)
    priorities = dict(session.execute(select(Account.id, Account.priority)).all())
    wanted: dict[tuple[str | None, int | None], list[int]] = defaultdict(list)
    moves: list[tuple[int, str | None, str]] = []
    by_tier: Counter[str] = Counter()
    unmatched = priority_changes = 0
    for account, found in loaded.items():
        chosen = choose_tier(tests, found)
        if chosen is None:
            unmatched += 1
            tier, priority = found.tier, None
        else:
            tier, priority = chosen
            by_tier[tier] += 1
        if tier != found.tier and tier is not None:
            moves.append((account, found.tier, tier))
        if tier != found.tier or priority != priorities.get(account):
            wanted[(tier, priority)].append(account)
            priority_changes += priority != priorities.get(account)
    _apply(session, wanted)
    _record(session, moves)
    stats = TierStats(
        accounts=len(loaded),
        changed=len(moves),
        priorities_changed=priority_changes,
        unmatched=unmatched,
        by_tier=dict(by_tier),
        seconds=time.perf_counter() - started,
    )
    log.info(
        "tiers assigned for %s: %d accounts, %d changed tier, %d matched no rule",
        as_of,
        stats.accounts,
        stats.changed,
        stats.unmatched,
    )
    return stats


def _apply(
    session: Session, wanted: Mapping[tuple[str | None, int | None], list[int]]
) -> None:
    """Write the new tiers and priorities, one UPDATE per value pair and chunk."""
    now = utcnow()
    for (tier, priority), accounts in wanted.items():
        for start in range(0, len(accounts), _CHUNK):
            chunk = accounts[start : start + _CHUNK]
            session.execute(
                update(Account)
                .where(facts.id_in(Account.id, chunk))
                .values(tier=tier, priority=priority, updated_at=now)
                .execution_options(synchronize_session=False)
            )
    session.expire_all()


def _record(session: Session, moves: list[tuple[int, str | None, str]]) -> None:
    """Add a system timeline entry per tier change."""
    if not moves:
        return
    now = utcnow()
    session.execute(
        insert(Activity),
        [
            {
                "account_id": account,
                "kind": "system",
                "subject": f"Tier {old or '—'} → {new}",
                "occurred_at": now,
                "details": {"change": "tier", "from": old, "to": new},
                "created_at": now,
                "updated_at": now,
            }
            for account, old, new in moves
        ],
    )
