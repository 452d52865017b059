"""Read and change configuration: defaults, environment variables, the settings table.

A value set in the settings table wins over ``TENURE_<KEY>`` in the environment, which
wins over the built-in default.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.money import MoneyError, check_currency
from tenure.settings.models import Setting

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path("tenure-data")


class SettingError(ValueError):
    """An unknown setting or a value that does not fit it."""


def _int_between(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise SettingError(f"'{text}' is not a whole number") from None
        if not low <= value <= high:
            raise SettingError(f"{value} is outside {low}..{high}")
        return value

    return parse


def _one_of(*choices: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in choices:
            raise SettingError(f"'{text}' is not one of {', '.join(choices)}")
        return text

    return parse


def _currency(text: str) -> str:
    try:
        return check_currency(text)
    except MoneyError as exc:
        raise SettingError(str(exc)) from None


def _timezone(text: str) -> str:
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise SettingError(f"'{text}' is not an IANA time zone") from None
    return text


def _url(text: str) -> str:
    value = text.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise SettingError(f"'{text}' is not an http:// or https:// address")
    return value


def _time_of_day(text: str) -> str:
    try:
        parsed = dt.time.fromisoformat(text.strip())
    except ValueError:
        raise SettingError(f"'{text}' is not a time of day like 08:30") from None
    return parsed.strftime("%H:%M")


@dataclass(frozen=True)
class SettingSpec:
    """A setting's key, default, parser and meaning."""

    key: str
    default: str
    parse: Callable[[str], Any]
    help: str
    revenue: bool = True
    # Shown masked wherever settings are listed.
    secret: bool = False


SPECS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec(
            "reporting_currency",
            "USD",
            _currency,
            "ISO 4217 currency every report is converted into",
        ),
        SettingSpec(
            "timezone", "UTC", _timezone, "IANA zone that decides what 'today' is"
        ),
        SettingSpec(
            "discount_mode",
            "deduct",
            _one_of("deduct", "stripe"),
            "deduct: every discount lowers MRR; stripe: only never-ending ones do",
        ),
        SettingSpec(
            "churn_recognition",
            "period_end",
            _one_of("period_end", "at_request"),
            "a cancelled subscription churns at its end date or on the request date",
        ),
        SettingSpec(
            "contract_grace_days",
            "30",
            _int_between(0, 365),
            "days a contract with no successor keeps its MRR as pending renewal",
        ),
        SettingSpec(
            "past_due_churn_days",
            "0",
            _int_between(0, 365),
            "churn a subscription this many days past due (0: never)",
        ),
        SettingSpec(
            "reactivation_window_days",
            "0",
            _int_between(0, 3650),
            "a customer returning after more days than this counts as new (0: never)",
        ),
        SettingSpec(
            "renewal_min_interval_months",
            "12",
            _int_between(1, 120),
            "subscriptions billed this many months or more have renewal terms",
        ),
        SettingSpec(
            "session_idle_hours",
            "12",
            _int_between(1, 720),
            "hours a sign-in session lasts without being used",
            revenue=False,
        ),
        SettingSpec(
            "login_max_failures",
            "5",
            _int_between(1, 100),
            "failed sign-ins in a row that lock a user out",
            revenue=False,
        ),
        SettingSpec(
            "login_lockout_minutes",
            "15",
            _int_between(1, 1440),
            "minutes a locked-out user must wait before signing in again",
            revenue=False,
        ),
        SettingSpec(
            "public_url",
            "http://localhost:8080",
            _url,
            "address users open Tenure at; links in briefings start with it",
            revenue=False,
        ),
        SettingSpec(
            "briefing_time",
            "08:30",
            _time_of_day,
            "local time (HH:MM) the daily briefing goes out unless a user chose one",
            revenue=False,
        ),
        SettingSpec(
            "smtp_host",
            "",
            str.strip,
            "mail server the briefing is sent through (empty: no email)",
            revenue=False,
        ),
        SettingSpec(
            "smtp_port",
            "587",
            _int_between(1, 65535),
            "mail server port",
            revenue=False,
        ),
        SettingSpec(
            "smtp_security",
            "starttls",
            _one_of("starttls", "ssl", "none"),
            "starttls, ssl (implicit TLS) or none",
            revenue=False,
        ),
        SettingSpec(
            "smtp_username",
            "",
            str.strip,
            "mail server user name (empty: no sign-in)",
            revenue=False,
        ),
        SettingSpec(
            "smtp_password",
            "",
            str,
            "mail server password; best set as TENURE_SMTP_PASSWORD",
            revenue=False,
            secret=True,
        ),
        SettingSpec(
            "smtp_from",
            "Tenure <tenure@localhost>",
            str.strip,
            "sender of briefing emails",
            revenue=False,
        ),
    )
}


def database_url() -> str:
    """Return the configured database URL (``TENURE_DATABASE_URL``)."""
    url = os.environ.get("TENURE_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{(DEFAULT_DATA_DIR / 'tenure.sqlite').as_posix()}"


def _spec(key: str) -> SettingSpec:
    try:
        return SPECS[key]
    except KeyError:
        known = ", ".join(sorted(SPECS))
        message = f"unknown setting '{key}'; known settings: {known}"
        raise SettingError(message) from None


def get_all(session: Session) -> dict[str, tuple[Any, str]]:
    """Return every setting as ``key -> (value, source)``."""
    stored = {row.key: row.value for row in session.scalars(select(Setting))}
    result: dict[str, tuple[Any, str]] = {}
    for key, spec in SPECS.items():
        env = os.environ.get(f"TENURE_{key.upper()}")
        if key in stored:
            result[key] = (spec.parse(stored[key]), "settings table")
        elif env is not None:
            try:
                result[key] = (spec.parse(env), "environment")
            except SettingError as exc:
                raise SettingError(f"TENURE_{key.upper()}: {exc}") from None
        else:
            result[key] = (spec.parse(spec.default), "default")
    return result


def get(session: Session, key: str) -> Any:
    """Return the effective value of one setting."""
    _spec(key)
    return get_all(session)[key][0]


def set_value(session: Session, key: str, text: str) -> Any:
    """Validate and store a setting; return the parsed value."""
    spec = _spec(key)
    try:
        value = spec.parse(text)
    except SettingError as exc:
        raise SettingError(f"{key}: {exc}") from None
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=str(text)))
    else:
        row.value = str(text)
    session.flush()
    log.info("setting %s changed to %s", key, text)
    return value
