"""Overrides and sentiment entered by hand: validation, scope, revocation."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tenure.health import service
from tenure.health.errors import HealthError, NotFound
from tenure.health.models import HealthOverride

from .conftest import AS_OF, Company

LATER = AS_OF + dt.timedelta(days=30)


def override(session: Session, **fields: object) -> HealthOverride:
    """Create an override of account A to red, replacing any of ``fields``."""
    values: dict[str, object] = {
        "account_external_id": "A",
        "band": "red",
        "reason": "Champion left",
        "starts_on": AS_OF,
        "expires_on": LATER,
    }
    values.update(fields)
    return service.create_override(session, **values)  # type: ignore[arg-type]


def test_override_is_stored_with_reason_and_dates(
    session: Session, company: Company
) -> None:
    company.customer("A")
    row = service.create_override(
        session,
        account_external_id="A",
        band="yellow",
        reason="  Champion left ",
        expires_on=LATER,
        starts_on=AS_OF,
        score_value=45.25,
    )
    [listed] = service.list_overrides(session, "A")
    assert listed.id == row.id
    assert (row.band, row.reason, row.score) == ("yellow", "Champion left", 45.2)
    assert (row.starts_on, row.expires_on, row.revoked_at) == (AS_OF, LATER, None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"band": "purple"}, "band 'purple' is not one of green, red, yellow"),
        ({"reason": "  "}, "reason must not be blank"),
        ({"expires_on": AS_OF}, f"expires_on {AS_OF} must be after starts_on"),
        ({"score_value": 120}, "score 120 is outside 0..100"),
    ],
)
def test_override_validation_names_account_and_field(
    session: Session, company: Company, fields: dict[str, object], message: str
) -> None:
    company.customer("A")
    with pytest.raises(HealthError) as caught:
        override(session, **fields)
    assert str(caught.value).startswith("override of account 'A': ")
    assert message in str(caught.value)


def test_override_outside_scope_is_not_found(
    session: Session, company: Company
) -> None:
    bob = company.staff("bob@example.com")
    alice = company.staff("alice@example.com")
    company.customer("A", owner_id=bob)
    with pytest.raises(NotFound, match="account 'A' not found"):
        override(session, owners=frozenset({alice}))
    row = override(session)
    with pytest.raises(NotFound):
        service.revoke_override(session, row.id, owners=frozenset({alice}))


def test_revoked_override_no_longer_applies(session: Session, company: Company) -> None:
    company.customer("A")
    row = override(session)
    service.score_accounts(session, AS_OF)
    assert service.report_rows(session)[0]["band"] == "red"
    revoked = service.revoke_override(session, row.id)
    assert revoked.revoked_at is not None
    service.score_accounts(session, AS_OF)
    assert service.report_rows(session)[0]["band"] == "insufficient"


def test_latest_override_wins(session: Session, company: Company) -> None:
    company.customer("A")
    override(session, band="red")
    override(session, band="green", reason="Renewal signed early")
    service.score_accounts(session, AS_OF)
    assert service.report_rows(session)[0]["band"] == "green"


def test_sentiment_is_recorded_and_listed_newest_first(
    session: Session, company: Company
) -> None:
    company.customer("A")
    service.add_sentiment(
        session, account_external_id="A", value=2, recorded_on=dt.date(2026, 1, 5)
    )
    service.add_sentiment(
        session, account_external_id="A", value=4, note=" QBR went well ",
        recorded_on=dt.date(2026, 3, 5),
    )  # fmt: skip
    entries = service.list_sentiment(session, "A")
    assert [(e.value, e.note) for e in entries] == [(4, "QBR went well"), (2, None)]


@pytest.mark.parametrize("value", [0, 6, 3.5, True])
def test_sentiment_is_a_whole_number_from_1_to_5(
    session: Session, company: Company, value: object
) -> None:
    company.customer("A")
    with pytest.raises(HealthError, match="sentiment of account 'A': value"):
        service.add_sentiment(session, account_external_id="A", value=value)  # type: ignore[arg-type]


def test_sentiment_cannot_be_dated_in_the_future(
    session: Session, company: Company
) -> None:
    company.customer("A")
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(HealthError, match="is in the future"):
        service.add_sentiment(
            session, account_external_id="A", value=3, recorded_on=tomorrow
        )


def test_sentiment_outside_scope_is_not_found(
    session: Session, company: Company
) -> None:
    bob = company.staff("bob@example.com")
    company.customer("A", owner_id=bob)
    with pytest.raises(NotFound):
        service.add_sentiment(
            session, account_external_id="A", value=3, owners=frozenset()
        )
    with pytest.raises(NotFound):
        service.list_sentiment(session, "A", owners=frozenset())
