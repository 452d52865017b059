"""Import subscriptions: upsert by subscription_id, replacing items and pauses."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from tenure.billing.models import Subscription, SubscriptionItem, SubscriptionPause
from tenure.db.base import utcnow
from tenure.imports.bulk import (
    chunked,
    insert_many,
    insert_returning_ids,
    rows_where_in,
    update_many,
)
from tenure.imports.lookups import created_note, ensure_accounts, ensure_plans
from tenure.imports.results import ImportResult
from tenure.imports.subscription_rows import SubscriptionRecord

log = logging.getLogger(__name__)

_FIELDS = (
    "account_id",
    "plan_id",
    "currency",
    "interval",
    "interval_count",
    "start_date",
    "end_date",
    "trial_end_date",
    "canceled_at",
    "past_due_since",
)
_ITEM_FIELDS = (
    "plan_id",
    "unit_amount_minor",
    "quantity",
    "start_date",
    "end_date",
    "discount_percent",
    "discount_amount_minor",
    "discount_end_date",
)

Children = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


def _existing(
    session: Session, external_ids: list[str]
) -> tuple[dict[str, dict[str, Any]], dict[int, Children]]:
    """Load the stored subscriptions of ``external_ids`` with their items and pauses."""
    columns = [Subscription.external_id, Subscription.id]
    columns += [getattr(Subscription, name) for name in _FIELDS]
    subscriptions = {
        found.external_id: found._asdict()
        for found in rows_where_in(
            session, columns, Subscription.external_id, external_ids
        )
    }
    ids = [found["id"] for found in subscriptions.values()]
    children: dict[int, Children] = defaultdict(lambda: ([], []))
    item_columns = [SubscriptionItem.subscription_id, SubscriptionItem.id]
    item_columns += [getattr(SubscriptionItem, name) for name in _ITEM_FIELDS]
    items = rows_where_in(session, item_columns, SubscriptionItem.subscription_id, ids)
    for found in sorted(items, key=lambda item: (item[0], item[1])):
        children[found[0]][0].append(tuple(found[2:]))
    pauses = rows_where_in(
        session,
        (
            SubscriptionPause.subscription_id,
            SubscriptionPause.start_date,
            SubscriptionPause.end_date,
        ),
        SubscriptionPause.subscription_id,
        ids,
    )
    for found in sorted(pauses, key=lambda pause: (pause[0], pause[1])):
        children[found[0]][1].append(tuple(found[1:]))
    return subscriptions, children


def apply(session: Session, records: list[SubscriptionRecord]) -> ImportResult:
    """Create or update the subscriptions, with their accounts and plans."""
    result = ImportResult("subscriptions")
    accounts, new_accounts = ensure_accounts(
        session, (record.customer for record in records)
    )
    if new_accounts:
        result.notes.append(
            created_note(len(new_accounts), "accounts", new_accounts, "customer_id")
        )
    intervals: dict[str, str] = {}
    for record in records:
        for plan in (record.plan, *(item.plan for item in record.items)):
            if plan is not None:
                intervals.setdefault(plan, record.interval)
    plans, new_plans = ensure_plans(session, intervals)
    if new_plans:
        result.notes.append(created_note(len(new_plans), "plans", new_plans, "plan"))
    existing, children = _existing(session, [record.external_id for record in records])
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    wanted: dict[str, Children] = {}
    for record in records:
        values: dict[str, Any] = {
            "external_id": record.external_id,
            "account_id": accounts[record.customer],
            "plan_id": plans[record.plan] if record.plan else None,
            "currency": record.currency,
            "interval": record.interval,
            "interval_count": record.interval_count,
            "start_date": record.start_date,
            "end_date": record.end_date,
            "trial_end_date": record.trial_end_date,
            "canceled_at": record.canceled_at,
            "past_due_since": record.past_due_since,
        }
        items = [
            (
                plans[item.plan] if item.plan else None,
                item.unit_amount_minor,
                item.quantity,
                item.start_date,
                item.end_date,
                item.discount_percent,
                item.discount_amount_minor,
                item.discount_end_date,
            )
            for item in record.items
        ]
        pauses = [record.pause] if record.pause else []
        old = existing.get(record.external_id)
        if old is None:
            result.created += 1
            inserts.append(values)
        else:
            values["id"] = old["id"]
            if values == old and children[old["id"]] == (items, pauses):
                result.unchanged += 1
                continue
            result.updated += 1
            result.account_ids.add(old["account_id"])
            updates.append({**values, "updated_at": utcnow()})
        result.account_ids.add(values["account_id"])
        wanted[record.external_id] = (items, pauses)
    _write(session, inserts, updates, wanted)
    return result


def _write(
    session: Session,
    inserts: list[dict[str, Any]],
    updates: list[dict[str, Any]],
    wanted: dict[str, Children],
) -> None:
    """Insert and update subscriptions, then replace the items and pauses of both."""
    ids = insert_returning_ids(session, Subscription, inserts)
    replaced = [values["id"] for values in updates]
    update_many(session, Subscription, updates)
    for batch in chunked(replaced):
        for model in (SubscriptionItem, SubscriptionPause):
            session.execute(
                delete(model)
                .where(model.subscription_id.in_(batch))
                .execution_options(synchronize_session=False)
            )
    ids.update((values["external_id"], values["id"]) for values in updates)
    item_rows: list[dict[str, Any]] = []
    pause_rows: list[dict[str, Any]] = []
    for external_id, (items, pauses) in wanted.items():
        subscription_id = ids[external_id]
        for item in items:
            row = dict(zip(_ITEM_FIELDS, item, strict=True))
            row["subscription_id"] = subscription_id
            item_rows.append(row)
        for start, end in pauses:
            pause_rows.append(
                {
                    "subscription_id": subscription_id,
                    "start_date": start,
                    "end_date": end,
                }
            )
    insert_many(session, SubscriptionItem, item_rows)
    insert_many(session, SubscriptionPause, pause_rows)
    log.info(
        "subscriptions: %d created, %d updated, %d items written",
        len(inserts),
        len(updates),
        len(item_rows),
    )
