"""The rollup: raw events in DuckDB become per-account daily usage in the record.

A run recomputes every day (in the configured time zone) that received events since
the previous run, from all of that day's events, and replaces those days' rows in
``usage_daily``: running it again changes nothing. Events are attributed to the
account in their ``groupId`` (or ``context.groupId``); failing that, to the account
the user last joined with a group call. Page and screen views count as events named
``page:<name>`` and ``screen:<name>``; only tracked events count as features used.
Group traits update the account: ``industry``, ``region``, ``size`` and ``tier`` set
those fields and any other trait (but ``name``, which billing owns) becomes a custom
attribute.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.db.bulk import insert_rows
from tenure.usage.models import UsageDaily
from tenure.usage.store import EventStore

log = logging.getLogger(__name__)

NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ACCOUNT_FIELDS = ("industry", "region", "size", "tier")
USAGE_COLUMNS = (
    "account_id",
    "day",
    "active_users",
    "events",
    "features_used",
    "event_counts",
    "last_seen_at",
)

# The days (in the time zone) of the events received in the window.
_TOUCHED_DAYS = """
SELECT DISTINCT CAST(timezone($tz, timestamp) AS DATE) AS day
FROM events WHERE received_at > $since AND received_at <= $until
"""

# Every event of the touched days, each with the account it belongs to.
_ATTRIBUTED = f"""
WITH members AS (
    SELECT coalesce(user_id, anonymous_id) AS actor,
           arg_max(group_id, timestamp) AS group_id
    FROM events WHERE type = 'group' GROUP BY ALL
),
touched AS ({_TOUCHED_DAYS})
SELECT coalesce(e.group_id, m.group_id) AS account,
       CAST(timezone($tz, e.timestamp) AS DATE) AS day,
       coalesce(e.user_id, e.anonymous_id) AS actor,
       e.type,
       CASE WHEN e.type = 'track' THEN e.event
            ELSE e.type || ':' || coalesce(e.event, '') END AS name,
       e.timestamp
FROM events e
LEFT JOIN members m ON m.actor = coalesce(e.user_id, e.anonymous_id)
WHERE e.type IN ('track', 'page', 'screen')
  AND e.received_at <= $until
  AND CAST(timezone($tz, e.timestamp) AS DATE) IN (SELECT day FROM touched)
"""

# Events by name are built as JSON text with string_agg, which is several times
# faster in DuckDB than json_group_object over millions of account-days.
_DAILY = f"""
WITH acts AS ({_ATTRIBUTED}),
names AS (
    SELECT account, day, name, count(*) AS n, bool_or(type = 'track') AS feature
    FROM acts WHERE account IS NOT NULL GROUP BY ALL
),
per_day_names AS (
    SELECT account, day, sum(n) AS events,
           count(*) FILTER (WHERE feature) AS features_used,
           '{{' || string_agg(CAST(to_json(name) AS VARCHAR) || ':' || n, ',') || '}}'
               AS event_counts
    FROM names GROUP BY ALL
),
days AS (
    SELECT account, day, count(DISTINCT actor) AS active_users,
           max(timestamp) AS last_seen
    FROM acts WHERE account IS NOT NULL GROUP BY ALL
)
SELECT d.account, strftime(d.day, '%Y-%m-%d') AS day, d.active_users, n.events,
       n.features_used, n.event_counts,
       strftime(timezone('UTC', d.last_seen), '%Y-%m-%d %H:%M:%S.%f') || $offset
           AS last_seen
FROM days d JOIN per_day_names n USING (account, day)
"""

_CHUNK = 200_000
# The rolled-up rows of known accounts, with their ids, in primary key order.
_KNOWN_ROWS = """
SELECT a.id, r.day, r.active_users, r.events, r.features_used, r.event_counts,
       r.last_seen
FROM rollup_rows r JOIN account_ids a ON a.external_id = r.account
ORDER BY a.id, r.day
"""
_UNKNOWN = """
SELECT DISTINCT account FROM rollup_rows
WHERE account NOT IN (SELECT external_id FROM account_ids)
"""

_GROUP_TRAITS = """
SELECT group_id, CAST(arg_max(traits, timestamp) AS VARCHAR) AS traits
FROM events
WHERE type = 'group' AND traits IS NOT NULL
  AND received_at > $since AND received_at <= $until
GROUP BY group_id
"""


@dataclass
class RollupResult:
    """What a rollup run did."""

    since: dt.datetime
    until: dt.datetime
    days: list[dt.date] = field(default_factory=list)
    rows: int = 0
    accounts_updated: int = 0
    unknown_accounts: list[str] = field(default_factory=list)

    def details(self) -> dict[str, Any]:
        """A JSON-ready summary, kept with the job run."""
        return {
            "watermark": self.until.isoformat(),
            "days": len(self.days),
            "first_day": self.days[0].isoformat() if self.days else None,
            "last_day": self.days[-1].isoformat() if self.days else None,
            "rows": self.rows,
            "accounts_updated": self.accounts_updated,
            "unknown_accounts": len(self.unknown_accounts),
        }


def _latest_received(store: EventStore) -> dt.datetime:
    with store.reader() as cursor:
        row = cursor.execute("SELECT max(received_at) FROM events").fetchone()
    latest = row[0] if row else None
    return latest.astimezone(dt.UTC) if latest is not None else NEVER


def rollup(
    session: Session,
    store: EventStore,
    *,
    timezone: str,
    since: dt.datetime = NEVER,
) -> RollupResult:
    """Roll up the days touched by events received after ``since``; see the module."""
    store.flush()
    until = _latest_received(store)
    result = RollupResult(since=since, until=until)
    if until <= since:
        return result
    params = {"tz": timezone, "since": since, "until": until}
    # Day and last-seen come out of DuckDB as the text each backend stores, which
    # spares a Python conversion per row: naive UTC on SQLite, with offset elsewhere.
    offset = "" if session.get_bind().dialect.name == "sqlite" else "+00"
    with store.reader() as cursor:
        result.days = sorted(
            row[0] for row in cursor.execute(_TOUCHED_DAYS, params).fetchall()
        )
        window = {"since": since, "until": until}
        traits = cursor.execute(_GROUP_TRAITS, window).fetchall()
        ids = _account_ids(session)
        cursor.register(
            "account_ids",
            pa.table({"external_id": list(ids), "id": list(ids.values())}),
        )
        try:
            cursor.execute(
                f"CREATE TEMP TABLE rollup_rows AS {_DAILY}",
                {**params, "offset": offset},
            )
            unknown = cursor.execute(_UNKNOWN).fetchall()
            result.unknown_accounts = sorted(
                {row[0] for row in unknown} | {t[0] for t in traits if t[0] not in ids}
            )
            _delete_days(session, result.days)
            result.rows = _write_rows(session, cursor)
        finally:
            cursor.execute("DROP TABLE IF EXISTS rollup_rows")
            cursor.unregister("account_ids")
    if result.unknown_accounts:
        log.warning(
            "usage of %d unknown accounts not rolled up (for example %s)",
            len(result.unknown_accounts),
            result.unknown_accounts[0],
        )
    result.accounts_updated = _apply_traits(session, ids, traits)
    log.info(
        "rolled up %d days into %d rows; %d accounts updated from group traits",
        len(result.days),
        result.rows,
        result.accounts_updated,
    )
    return result


def _account_ids(session: Session) -> dict[str, int]:
    """Every account's id by its external id."""
    rows = session.execute(select(Account.external_id, Account.id))
    return {external_id: id_ for external_id, id_ in rows}


def _write_rows(session: Session, cursor: duckdb.DuckDBPyConnection) -> int:
    """Copy the rolled-up rows into ``usage_daily``; return how many.

    PostgreSQL takes them as CSV that DuckDB writes, through ``COPY``, so no row
    passes through Python; SQLite takes them in chunks through ``executemany``.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        count = 0
        cursor.execute(_KNOWN_ROWS)
        while chunk := cursor.fetchmany(_CHUNK):
            count += insert_rows(
                session, UsageDaily.__tablename__, USAGE_COLUMNS, chunk
            )
        return count
    with tempfile.TemporaryDirectory(prefix="tenure-rollup-") as folder:
        path = Path(folder) / "rows.csv"
        written = cursor.execute(
            f"COPY ({_KNOWN_ROWS}) TO '{path}' (FORMAT csv, HEADER false)"
        ).fetchone()
        driver = connection.connection.driver_connection
        assert driver is not None
        names = ", ".join(USAGE_COLUMNS)
        with (
            driver.cursor() as pg,
            pg.copy(f"COPY usage_daily ({names}) FROM STDIN WITH (FORMAT csv)") as copy,
            path.open("rb") as rows,
        ):
            while data := rows.read(1 << 20):
                copy.write(data)
    return int(written[0]) if written else 0


def _delete_days(session: Session, days: list[dt.date]) -> None:
    for start in range(0, len(days), 500):
        chunk = days[start : start + 500]
        session.execute(delete(UsageDaily).where(UsageDaily.day.in_(chunk)))


def _apply_traits(
    session: Session, ids: dict[str, int], traits: list[tuple[Any, ...]]
) -> int:
    updated = 0
    for group_id, encoded in traits:
        if group_id not in ids:
            continue
        account = session.get(Account, ids[group_id])
        if account is None:
            continue
        changed = False
        custom = dict(account.custom_attributes or {})
        for key, value in json.loads(encoded).items():
            if key == "name" or value is None:
                continue
            if key in ACCOUNT_FIELDS and isinstance(value, str):
                if getattr(account, key) != value:
                    setattr(account, key, value)
                    changed = True
            elif custom.get(key) != value:
                custom[key] = value
                changed = True
        if changed:
            account.custom_attributes = custom
            updated += 1
    session.flush()
    return updated
