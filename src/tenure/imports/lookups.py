"""Find or create the accounts and plans that imported rows refer to."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.billing.models import Plan
from tenure.imports.bulk import insert_returning_ids, rows_where_in
from tenure.settings.service import get as get_setting

log = logging.getLogger(__name__)


def ensure_accounts(
    session: Session, external_ids: Iterable[str]
) -> tuple[dict[str, int], list[str]]:
    """Return account ids by external id, creating a bare account for unknown ones."""
    wanted = list(dict.fromkeys(external_ids))
    ids = dict(
        rows_where_in(
            session, (Account.external_id, Account.id), Account.external_id, wanted
        )
    )
    missing = [external_id for external_id in wanted if external_id not in ids]
    rows = [
        {
            "external_id": external_id,
            "name": external_id,
            "tags": [],
            "custom_attributes": {},
        }
        for external_id in missing
    ]
    ids.update(insert_returning_ids(session, Account, rows))
    return ids, missing


def ensure_plans(
    session: Session, intervals: dict[str, str]
) -> tuple[dict[str, int], list[str]]:
    """Return plan ids by external id, creating plans for unknown ones."""
    ids = dict(
        rows_where_in(session, (Plan.external_id, Plan.id), Plan.external_id, intervals)
    )
    missing = [key for key in intervals if key not in ids]
    rows = [
        {"external_id": key, "name": key, "interval": intervals[key]} for key in missing
    ]
    ids.update(insert_returning_ids(session, Plan, rows))
    return ids, missing


def today(session: Session) -> dt.date:
    """Return today's date in the configured time zone."""
    zone = zoneinfo.ZoneInfo(get_setting(session, "timezone"))
    return dt.datetime.now(zone).date()


def created_note(count: int, what: str, examples: Sequence[str], origin: str) -> str:
    """Describe records created on the fly, naming the first few."""
    shown = ", ".join(examples[:5])
    more = f" and {count - 5} more" if count > 5 else ""
    return f"created {count} {what} from {origin}: {shown}{more}"
