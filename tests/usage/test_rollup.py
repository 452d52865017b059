"""From a backfill to daily rollups: the CLI's ingest, jobs run rollup, report usage."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tenure.accounts.models import Account
from tenure.usage.models import UsageDaily
from tests.revenue.conftest import Tenure
from tests.usage.conftest import write_lines

ACCOUNTS = "account_id,name,industry\nacme,Acme,Retail\nbeta,Beta,Education\n"


def track(user: str, event: str, at: str, **extra: object) -> dict[str, object]:
    return {"type": "track", "userId": user, "event": event, "timestamp": at, **extra}


MESSAGES = [
    {"type": "group", "userId": "ann", "groupId": "acme",
     "timestamp": "2026-11-01T00:00:00Z",
     "traits": {"industry": "Healthcare", "plan": "Pro", "name": "Ignored"}},
    track("ann", "Signed In", "2026-11-02T01:00:00Z", messageId="a1"),
    track("ann", "Report Viewed", "2026-11-02T02:00:00Z", messageId="a2"),
    # 17:00 UTC is the next morning in Shanghai.
    track("bob", "Signed In", "2026-11-02T17:00:00Z", context={"groupId": "acme"}),
    track("cat", "Signed In", "2026-11-02T03:00:00Z", context={"groupId": "beta"}),
    track("zed", "Signed In", "2026-11-02T03:00:00Z", context={"groupId": "nobody"}),
    {"type": "page", "userId": "ann", "name": "Home",
     "timestamp": "2026-11-02T04:00:00Z"},
]  # fmt: skip


def usage(factory: sessionmaker[Session]) -> dict[tuple[str, str], tuple[object, ...]]:
    with factory() as session:
        rows = session.execute(
            select(Account.external_id, UsageDaily).join(
                UsageDaily, UsageDaily.account_id == Account.id
            )
        ).all()
        return {
            (external, row.day.isoformat()): (
                row.active_users,
                row.events,
                row.features_used,
                row.event_counts,
            )
            for external, row in rows
        }


def test_backfill_rollup_and_report(
    cli: Tenure, factory: sessionmaker[Session]
) -> None:
    cli.load("accounts", ACCOUNTS)
    path = write_lines(cli.tmp / "events.jsonl", MESSAGES)
    assert "7 messages from 7 lines stored" in cli("ingest", str(path))
    out = cli("jobs", "run", "rollup")
    summary = json.loads(out.split(": ", 1)[1])
    assert (summary["rows"], summary["unknown_accounts"]) == (3, 1)
    assert summary["accounts_updated"] == 1
    assert usage(factory) == {
        ("acme", "2026-11-02"): (
            1,
            3,
            2,
            {"Signed In": 1, "Report Viewed": 1, "page:Home": 1},
        ),
        ("acme", "2026-11-03"): (1, 1, 1, {"Signed In": 1}),
        ("beta", "2026-11-02"): (1, 1, 1, {"Signed In": 1}),
    }
    with factory() as session:
        acme = session.scalars(select(Account).filter_by(external_id="acme")).one()
        assert (acme.name, acme.industry) == ("Acme", "Healthcare")
        assert acme.custom_attributes["plan"] == "Pro"
    rows = cli.report(
        "usage", "--account", "acme", "--start", "2026-11-01", "--end", "2026-11-03"
    )
    assert rows == [
        {"day": "2026-11-01", "active_users": "0", "events": "0"},
        {"day": "2026-11-02", "active_users": "1", "events": "3"},
        {"day": "2026-11-03", "active_users": "1", "events": "1"},
    ]


def test_rollup_is_idempotent_and_incremental(
    cli: Tenure, factory: sessionmaker[Session]
) -> None:
    cli.load("accounts", ACCOUNTS)
    cli("ingest", str(write_lines(cli.tmp / "a.jsonl", MESSAGES)))
    cli("jobs", "run", "rollup")
    first = usage(factory)
    # The same file again: the messages dedupe, and a rerun changes nothing.
    cli("ingest", str(write_lines(cli.tmp / "a.jsonl", MESSAGES)))
    assert '"days": 0' in cli("jobs", "run", "rollup")
    assert usage(factory) == first
    late = [track("dan", "Export Downloaded", "2026-11-02T05:00:00Z",
                  context={"groupId": "beta"})]  # fmt: skip
    cli("ingest", str(write_lines(cli.tmp / "b.jsonl", late)))
    out = cli("jobs", "run", "rollup")
    assert '"days": 1' in out
    assert usage(factory)[("beta", "2026-11-02")][:3] == (2, 2, 2)
    # The group call's day counts too: it touched 1 November.
    assert '"days": 3' in cli("jobs", "run", "rollup", "--full")
    assert usage(factory)[("beta", "2026-11-02")][:3] == (2, 2, 2)


def test_a_bad_backfill_stores_nothing(cli: Tenure) -> None:
    path = cli.tmp / "bad.jsonl"
    path.write_text(
        '{"type": "track", "userId": "u", "event": "E"}\n'
        "{broken\n"
        '{"batch": [{"type": "track", "event": "E"}]}\n',
        encoding="utf-8",
    )
    result = cli.run("ingest", str(path))
    assert result.exit_code == 1
    assert f"{path}:2: not valid JSON" in result.stderr
    assert f"{path}:3: batch[0].userId: a userId or an anonymousId" in result.stderr
    assert "nothing was stored" in result.stderr
    cli.load("accounts", ACCOUNTS)
    assert '"rows": 0' in cli("jobs", "run", "rollup")


def test_sources_and_job_listing(cli: Tenure) -> None:
    key = cli("source", "create", "web app").strip()
    assert key.startswith("tws_") and len(key) > 20
    again = cli.run("source", "create", "web app")
    assert again.exit_code == 2
    assert "exists already" in again.stderr
    assert "web app" in cli("source", "list")
    assert "revoked" in cli("source", "revoke", "web app")
    cli("jobs", "run", "rollup")
    listing = cli("jobs", "list")
    assert "rollup" in listing and "succeeded" in listing
    unknown = cli.run("jobs", "run", "nightly")
    assert unknown.exit_code == 2
    assert "unknown job 'nightly'" in unknown.stderr


def test_usage_report_of_an_unknown_account(cli: Tenure) -> None:
    result = cli.run("report", "usage", "--account", "ghost", "--format", "csv")
    assert result.exit_code == 2
    assert "no account 'ghost'" in result.stderr
