"""The firing decision, without a database: transitions, deduplication, reruns."""

from __future__ import annotations

import datetime as dt

from tenure.rules.evaluate import DEDUPLICATED, FIRED, Decision, Prior, decide

DAY = dt.date(2026, 6, 30)
YESTERDAY = dt.date(2026, 6, 29)


def one(decisions: list[Decision], account: int) -> Decision:
    return next(d for d in decisions if d.account_id == account)


def test_an_account_starting_to_show_the_signal_fires() -> None:
    decisions = decide(DAY, {1}, {1}, {}, set())
    assert decisions == [Decision(1, True, DAY, FIRED)]


def test_an_account_that_did_not_match_before_fires() -> None:
    decisions = decide(DAY, {1}, {1}, {1: Prior(False, None)}, set())
    assert one(decisions, 1).outcome == FIRED


def test_an_account_still_showing_the_signal_does_not_fire_again() -> None:
    decisions = decide(DAY, {1}, {1}, {1: Prior(True, YESTERDAY)}, set())
    assert decisions == [Decision(1, True, YESTERDAY, None)]


def test_an_open_task_of_the_rule_deduplicates_the_firing() -> None:
    decisions = decide(DAY, {1, 2}, {1, 2}, {}, open_tasks={2})
    assert [d.outcome for d in decisions] == [FIRED, DEDUPLICATED]


def test_an_account_no_longer_showing_the_signal_ends_its_streak() -> None:
    decisions = decide(DAY, {1}, set(), {1: Prior(True, YESTERDAY)}, set())
    assert decisions == [Decision(1, False, None, None)]


def test_the_signal_coming_back_fires_again() -> None:
    first = decide(YESTERDAY, {1}, set(), {1: Prior(True, YESTERDAY)}, set())
    prior = {d.account_id: Prior(d.matched, d.since) for d in first}
    again = decide(DAY, {1}, {1}, prior, set())
    assert again == [Decision(1, True, DAY, FIRED)]


def test_an_account_leaving_the_candidates_stops_matching() -> None:
    decisions = decide(DAY, {2}, {2}, {1: Prior(True, YESTERDAY)}, set())
    assert one(decisions, 1) == Decision(1, False, None, None)


def test_a_signal_outside_the_candidates_is_ignored() -> None:
    assert decide(DAY, {1}, {1, 9}, {}, set()) == [Decision(1, True, DAY, FIRED)]


def test_rerunning_the_same_day_fires_nothing_more() -> None:
    first = decide(DAY, {1, 2}, {1, 2}, {}, set())
    prior = {d.account_id: Prior(d.matched, d.since) for d in first}
    again = decide(DAY, {1, 2}, {1, 2}, prior, set())
    assert [d.outcome for d in again] == [None, None]
    assert [(d.matched, d.since) for d in again] == [(True, DAY), (True, DAY)]


def test_an_account_that_fired_today_does_not_fire_twice_the_same_day() -> None:
    prior = {1: Prior(False, None)}
    assert decide(DAY, {1}, {1}, prior, set(), fired_today={1})[0].outcome is None
