"""The daily ``rules`` job: registered after health scoring, idempotent per day."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tenure.db.session import transaction
from tenure.jobs import service as jobs
from tenure.rules.models import RuleFiring
from tenure.settings.service import set_value
from tests.rules.conftest import AS_OF, Company, add_rule, days_before


def company_with_a_rule(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        set_value(session, "reporting_currency", "USD")
        company = Company(session)
        company.customer("ACME", since=days_before(2))
        company.customer("BETA", since=days_before(3))
        add_rule(session, {"kind": "new_customer"})


def test_the_rules_job_runs_after_health_scoring() -> None:
    names = list(jobs.jobs())
    before = [n for n in ("rollup", "health", "tiers") if n in names]
    assert names.index("rules") > max(names.index(n) for n in before)


def test_the_job_evaluates_the_rules_of_its_day(
    factory: sessionmaker[Session],
) -> None:
    company_with_a_rule(factory)
    context = jobs.JobContext(factory, None, AS_OF)
    run = jobs.run_job(context, "rules", AS_OF.isoformat())
    assert run.status == "succeeded"
    assert (run.details["matched"], run.details["fired"]) == (2, 2)
    assert run.details["rules"][0]["name"] == "Watch"


def test_running_the_job_again_fires_nothing_twice(
    factory: sessionmaker[Session],
) -> None:
    company_with_a_rule(factory)
    context = jobs.JobContext(factory, None, AS_OF)
    jobs.run_job(context, "rules")
    again = jobs.run_job(context, "rules")
    assert (again.attempts, again.details["fired"]) == (2, 0)
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(RuleFiring)) == 2
