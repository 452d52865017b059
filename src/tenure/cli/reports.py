"""``tenure report``: the revenue reports as a table, CSV or JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

import typer

from tenure.cli.context import database, fail
from tenure.cli.output import Format, render
from tenure.cli.team import team_report
from tenure.revenue import reports
from tenure.revenue.calendar import add_months
from tenure.revenue.loading import today
from tenure.revenue.service import StaleFactsError

app = typer.Typer(help="Revenue reports from the stored facts.", no_args_is_help=True)
app.command("team")(team_report)

MRR_COLUMNS = (
    "period", "mrr", "new", "expansion", "reactivation", "contraction", "churn",
    "fx_impact", "customers", "new_customers", "churned_customers",
)  # fmt: skip
RENEWAL_COLUMNS = (
    "period", "due_count", "renewed_count", "churned_count", "open_count",
    "due_amount", "renewed_amount", "rate_by_count", "gross_rate_by_amount",
    "net_rate_by_amount",
)  # fmt: skip
RETENTION_COLUMNS = (
    "period", "opening_mrr", "mrr", "arr", "opening_customers", "customers",
    "churned_customers", "logo_churn_rate", "gross_revenue_churn",
    "net_revenue_churn", "nrr", "grr", "nrr_12m", "grr_12m", "quick_ratio", "arpa",
    "ltv",
)  # fmt: skip
COHORT_COLUMNS = (
    "cohort", "months_since_start", "customers", "retained_customers",
    "logo_retention", "mrr", "revenue_retention",
)  # fmt: skip
MOVEMENT_COLUMNS = ("date", "customer", "name", "kind", "amount", "mrr_after")

Interval = Annotated[
    str, typer.Option(help="day, week, month, quarter or year", show_default=True)
]
Start = Annotated[
    dt.datetime | None,
    typer.Option(formats=["%Y-%m-%d"], help="First day (default: 11 periods back)"),
]
End = Annotated[
    dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last day (today)")
]
By = Annotated[
    str | None,
    typer.Option(help=f"Break down by {', '.join(reports.DIMENSIONS)}"),
]
Where = Annotated[
    list[str] | None,
    typer.Option(help="Keep accounts whose DIMENSION=VALUE (repeatable)"),
]
Fmt = Annotated[Format, typer.Option("--format", help="table, csv or json")]


def _where(items: list[str] | None) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise fail(f"--where {item!r}: expected DIMENSION=VALUE", 2)
        result[key.strip()] = value.strip()
    return result


def _span(
    session: Any, interval: str, start: dt.datetime | None, end: dt.datetime | None
) -> tuple[dt.date, dt.date]:
    try:
        return reports.report_span(
            session,
            interval,
            start.date() if start else None,
            end.date() if end else None,
        )
    except reports.ReportError as exc:
        raise fail(str(exc), 2) from None


def _run(
    build: Callable[..., list[dict[str, Any]]],
    columns: tuple[str, ...],
    fmt: Format,
    *args: Any,
    **kwargs: Any,
) -> None:
    try:
        rows = build(*args, **kwargs)
    except (reports.ReportError, StaleFactsError) as exc:
        raise fail(str(exc), 2) from None
    typer.echo(render(rows, fmt, columns))


@app.command("mrr")
def mrr(
    interval: Interval = "month",
    start: Start = None,
    end: End = None,
    by: By = None,
    where: Where = None,
    fmt: Fmt = Format.table,
) -> None:
    """MRR and its movements per period: the MRR bridge."""
    with database() as session:
        first, last = _span(session, interval, start, end)
        columns = MRR_COLUMNS if not by else ("period", by, *MRR_COLUMNS[1:])
        _run(
            reports.mrr_report, columns, fmt, session, interval, first, last, by,
            _where(where),
        )  # fmt: skip


@app.command("renewals")
def renewals(
    interval: Interval = "month",
    start: Start = None,
    end: End = None,
    by: By = None,
    where: Where = None,
    forecast: Annotated[
        bool, typer.Option(help="Add forecast_amount: won plus open at forecast")
    ] = False,
    fmt: Fmt = Format.table,
) -> None:
    """Terms due per period and renewal rates by count (续约率) and amount (续费率)."""
    with database() as session:
        first, last = _span(session, interval, start, end)
        columns = RENEWAL_COLUMNS if not by else ("period", by, *RENEWAL_COLUMNS[1:])
        if forecast:
            columns = (*columns, "forecast_amount")
        _run(
            reports.renewals_report, columns, fmt, session, interval, first, last, by,
            _where(where),
        )  # fmt: skip


@app.command("retention")
def retention(
    interval: Interval = "month",
    start: Start = None,
    end: End = None,
    where: Where = None,
    fmt: Fmt = Format.table,
) -> None:
    """NRR, GRR, logo and revenue churn, quick ratio, ARPA and LTV per period."""
    with database() as session:
        first, last = _span(session, interval, start, end)
        _run(
            reports.retention_report, RETENTION_COLUMNS, fmt, session, interval,
            first, last, _where(where),
        )  # fmt: skip


@app.command("cohorts")
def cohorts(
    start: Start = None,
    end: End = None,
    where: Where = None,
    fmt: Fmt = Format.table,
) -> None:
    """Logo and revenue retention of monthly cohorts, month by month."""
    with database() as session:
        last = end.date() if end else today(session)
        first = start.date() if start else add_months(last.replace(day=1), -11)
        _run(
            reports.cohorts_report, COHORT_COLUMNS, fmt, session, first, last,
            _where(where),
        )  # fmt: skip


@app.command("movements")
def movements(
    start: Start = None,
    end: End = None,
    kind: Annotated[
        str | None, typer.Option(help="new, expansion, reactivation, ... or fx")
    ] = None,
    where: Where = None,
    fmt: Fmt = Format.table,
) -> None:
    """The customers behind the movements between two dates."""
    with database() as session:
        last = end.date() if end else today(session)
        first = start.date() if start else last.replace(day=1)
        _run(
            reports.movements_report, MOVEMENT_COLUMNS, fmt, session, first, last,
            kind, _where(where),
        )  # fmt: skip
