"""Each trigger kind on a small company, on both backends: who shows it, and why."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from tenure.health.models import HealthSnapshot
from tenure.revenue.models import RenewalTerm
from tenure.rules import service as rules
from tenure.segments.service import create_segment
from tests.rules.conftest import AS_OF, Company, add_rule, days_before, firings_of

ON = {"task": {"title": "{account}", "type": "risk"}}


def fired(session: Session, trigger: dict[str, object], day: dt.date = AS_OF) -> dict:
    """The signal of every account the trigger fires for on ``day``, by account id."""
    rule = add_rule(session, trigger)
    rules.evaluate_rules(session, day)
    found = {}
    for firing in firings_of(session, rule):
        found[firing.account_id] = {
            k: v for k, v in firing.signal.items() if k != "trigger"
        }
    return found


def snapshot(
    company: Company, account: int, day: dt.date, band: str, score: float | None
) -> None:
    company.session.add(
        HealthSnapshot(account_id=account, as_of=day, band=band, score=score)
    )
    company.session.flush()


def test_health_falling_to_red_fires_with_both_bands(company: Company) -> None:
    falls = company.customer("FALLS")
    snapshot(company, falls, days_before(7), "green", 75.0)
    snapshot(company, falls, AS_OF, "red", 31.5)
    steady = company.customer("STEADY")
    snapshot(company, steady, days_before(7), "yellow", 50.0)
    snapshot(company, steady, AS_OF, "yellow", 45.0)
    trigger = {"kind": "health_band", "direction": "falls", "to": ["red"]}
    assert fired(company.session, trigger) == {
        falls: {
            "from_band": "green",
            "to_band": "red",
            "from_score": 75.0,
            "to_score": 31.5,
            "from_date": days_before(7).isoformat(),
            "to_date": AS_OF.isoformat(),
        }
    }


def test_falling_to_a_band_not_asked_for_does_not_fire(company: Company) -> None:
    account = company.customer("YELLOW")
    snapshot(company, account, days_before(7), "green", 75.0)
    snapshot(company, account, AS_OF, "yellow", 50.0)
    trigger = {"kind": "health_band", "direction": "falls", "to": ["red"]}
    assert fired(company.session, trigger) == {}


def test_insufficient_data_is_neither_a_fall_nor_a_rise(company: Company) -> None:
    account = company.customer("GONE-QUIET")
    snapshot(company, account, days_before(7), "green", 75.0)
    snapshot(company, account, AS_OF, "insufficient", None)
    assert fired(company.session, {"kind": "health_band", "direction": "falls"}) == {}


def test_health_rising_fires_on_the_latest_snapshot_before_the_day(
    company: Company,
) -> None:
    account = company.customer("RISES")
    snapshot(company, account, days_before(14), "red", 20.0)
    snapshot(company, account, days_before(7), "green", 80.0)
    snapshot(company, account, AS_OF + dt.timedelta(days=1), "red", 20.0)
    found = fired(company.session, {"kind": "health_band", "direction": "rises"})
    assert found[account]["to_band"] == "green"


def test_usage_down_by_half_fires_with_both_averages(company: Company) -> None:
    drops = company.customer("DROPS")
    company.daily(drops, days_before(13), days_before(7), 20)
    company.daily(drops, days_before(6), AS_OF, 10)
    steady = company.customer("STEADY")
    company.daily(steady, days_before(13), AS_OF, 10)
    trigger = {"kind": "usage_change", "field": "active_users", "change_at_most": -0.3}
    assert fired(company.session, trigger) == {
        drops: {
            "field": "active_users",
            "window_days": 7,
            "average": 10.0,
            "previous_average": 20.0,
            "change": -0.5,
            "change_pct": -50,
        }
    }


def test_usage_below_the_minimum_earlier_average_is_not_judged(
    company: Company,
) -> None:
    tiny = company.customer("TINY")
    company.daily(tiny, days_before(13), days_before(7), 2)
    company.daily(tiny, days_before(6), AS_OF, 0)
    busy = company.customer("BUSY")
    company.daily(busy, days_before(13), days_before(7), 20)
    company.daily(busy, days_before(6), AS_OF, 5)
    trigger = {
        "kind": "usage_change",
        "field": "active_users",
        "change_at_most": -0.3,
        "min_previous_average": 3,
    }
    assert set(fired(company.session, trigger)) == {busy}


def test_usage_without_a_previous_window_does_not_fire(company: Company) -> None:
    fresh = company.customer("FRESH")
    company.daily(fresh, days_before(6), AS_OF, 1)
    trigger = {"kind": "usage_change", "field": "active_users", "change_at_least": 0.5}
    assert fired(company.session, trigger) == {}


def test_usage_growth_fires_on_change_at_least(company: Company) -> None:
    grows = company.customer("GROWS")
    company.daily(grows, days_before(13), days_before(7), 10)
    company.daily(grows, days_before(6), AS_OF, 16)
    trigger = {"kind": "usage_change", "field": "events", "change_at_least": 0.5}
    assert fired(company.session, trigger)[grows]["change_pct"] == 60


def test_usage_past_a_threshold_fires_with_value_and_threshold(
    company: Company,
) -> None:
    big = company.customer("BIG")
    company.daily(big, days_before(6), AS_OF, 50)
    small = company.customer("SMALL")
    company.daily(small, days_before(6), AS_OF, 30)
    trigger = {
        "kind": "usage_threshold",
        "field": "active_users",
        "aggregate": "avg",
        "window_days": 7,
        "at_least": 40,
    }
    assert fired(company.session, trigger) == {
        big: {
            "field": "active_users",
            "aggregate": "avg",
            "window_days": 7,
            "value": 50.0,
            "threshold": 40.0,
        }
    }


def test_a_renewal_due_within_the_window_fires_with_amount(company: Company) -> None:
    soon = company.customer("SOON")
    company.renewal(soon, AS_OF + dt.timedelta(days=30))
    later = company.customer("LATER")
    company.renewal(later, AS_OF + dt.timedelta(days=120))
    overdue = company.customer("OVERDUE")
    company.renewal(overdue, days_before(40))
    churned = company.customer("DECIDED")
    company.renewal(churned, AS_OF + dt.timedelta(days=10), outcome="churned")
    found = fired(company.session, {"kind": "renewal_due", "within_days": 90})
    assert found == {
        soon: {
            "due_date": (AS_OF + dt.timedelta(days=30)).isoformat(),
            "days_left": 30,
            "amount": "1200.00",
            "currency": "USD",
            "term": f"C-{soon}-{AS_OF + dt.timedelta(days=30)}",
        }
    }


def test_a_later_term_of_the_same_account_fires_again(company: Company) -> None:
    account = company.customer("ANNUAL")
    company.renewal(account, AS_OF + dt.timedelta(days=30))
    rule = add_rule(company.session, {"kind": "renewal_due", "within_days": 60})
    rules.evaluate_rules(company.session, AS_OF)
    # The first term is renewed; the next one falls due a year later.
    company.session.execute(update(RenewalTerm).values(outcome="renewed"))
    next_due = AS_OF + dt.timedelta(days=395)
    company.renewal(account, next_due)
    rules.evaluate_rules(company.session, AS_OF + dt.timedelta(days=31))
    rules.evaluate_rules(company.session, next_due - dt.timedelta(days=59))
    assert [f.signal["due_date"] for f in firings_of(company.session, rule)] == [
        (AS_OF + dt.timedelta(days=30)).isoformat(),
        next_due.isoformat(),
    ]


def test_a_contract_churned_after_its_grace_fires_for_the_churned_account(
    company: Company,
) -> None:
    gone = company.customer("GONE")
    company.renewal(gone, days_before(35), outcome="churned")
    company.movement(gone, days_before(4), "churn", -10_000, 0)
    long_gone = company.customer("LONG-GONE")
    company.renewal(long_gone, days_before(70), outcome="churned")
    company.movement(long_gone, days_before(39), "churn", -10_000, 0)
    stays = company.customer("STAYS")
    company.renewal(stays, days_before(35), outcome="churned")
    found = fired(company.session, {"kind": "contract_ended", "within_days": 30})
    assert found == {
        gone: {
            "due_date": days_before(35).isoformat(),
            "churned_on": days_before(4).isoformat(),
            "amount": "1200.00",
            "currency": "USD",
            "term": f"C-{gone}-{days_before(35)}",
        }
    }


def test_a_new_customer_fires_with_start_and_mrr(company: Company) -> None:
    new = company.customer("NEW", mrr=25_000, since=days_before(5))
    company.customer("OLD", since=days_before(30))
    company.account("PROSPECT")
    assert fired(company.session, {"kind": "new_customer"}) == {
        new: {
            "start_date": days_before(5).isoformat(),
            "mrr": "250.00",
            "currency": "USD",
        }
    }


def test_entering_a_segment_fires_with_its_key_and_name(company: Company) -> None:
    shop = company.customer("SHOP", industry="Retail")
    company.customer("BANK", industry="Finance")
    create_segment(
        company.session,
        {"key": "retail", "name": "Retail", "definition": {"industry": "Retail"}},
        None,
    )
    found = fired(company.session, {"kind": "segment_entered", "segment": "retail"})
    assert found == {shop: {"segment": "retail", "segment_name": "Retail"}}


def test_a_rule_limited_to_a_segment_looks_only_at_its_members(
    company: Company,
) -> None:
    shop = company.customer("SHOP", since=days_before(3), industry="Retail")
    company.customer("BANK", since=days_before(3), industry="Finance")
    create_segment(
        company.session,
        {"key": "retail", "name": "Retail", "definition": {"industry": "Retail"}},
        None,
    )
    rule = rules.create_rule(
        company.session,
        {"name": "Retail onboarding", "segment": "retail",
         "trigger": {"kind": "new_customer"}, "action": ON},
        None,
    )  # fmt: skip
    stats = rules.evaluate_rules(company.session, AS_OF).rules[0]
    assert (stats.candidates, stats.fired) == (1, 1)
    assert [f.account_id for f in firings_of(company.session, rule)] == [shop]
