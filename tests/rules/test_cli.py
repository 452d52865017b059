"""``tenure rule list``, ``preview`` and ``add``, on the test's database."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tenure.db.session import transaction
from tenure.settings.service import set_value
from tests.revenue.conftest import Tenure, tenure
from tests.rules.conftest import AS_OF, Company, days_before, spec

__all__ = ["tenure"]

NEW = {"kind": "new_customer", "within_days": 14}


def write(tmp: Path, data: object, name: str = "rule.json") -> str:
    path = tmp / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def customers(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        set_value(session, "reporting_currency", "USD")
        Company(session).customer("ACME", since=days_before(2))


def test_a_rule_added_from_a_file_is_listed(tenure: Tenure) -> None:
    out = tenure("rule", "add", write(tenure.tmp, spec(NEW, "Onboard")))
    assert "'Onboard' created (version 1)" in out
    rows = list(csv.DictReader(io.StringIO(tenure("rule", "list", "--format", "csv"))))
    assert [(r["name"], r["trigger"], r["active"]) for r in rows] == [
        ("Onboard", "new_customer", "True")
    ]


def test_a_wrong_field_names_the_file_and_the_field(tenure: Tenure) -> None:
    bad = spec({"kind": "new_customer", "within_day": 14})
    result = tenure.run("rule", "add", write(tenure.tmp, bad, "bad.json"))
    assert result.exit_code == 2
    assert "bad.json: rule 'Watch': trigger.new_customer.within_day" in result.output


def test_a_file_that_is_not_json_is_refused(tenure: Tenure) -> None:
    path = tenure.tmp / "rule.json"
    path.write_text("{name: nope", encoding="utf-8")
    result = tenure.run("rule", "add", str(path))
    assert result.exit_code == 2 and "not a JSON document" in result.output


def test_the_preview_lists_who_would_fire_and_why(
    tenure: Tenure, factory: sessionmaker[Session]
) -> None:
    customers(factory)
    rule_id = tenure("rule", "add", write(tenure.tmp, spec(NEW))).split()[1]
    day = AS_OF.isoformat()
    out = tenure("rule", "preview", rule_id, "--date", day, "--format", "json")
    (row,) = json.loads(out)
    assert (row["account_id"], row["deduplicated"]) == ("ACME", False)
    assert row["signal"]["start_date"] == days_before(2).isoformat()


def test_previewing_an_unknown_rule_fails(tenure: Tenure) -> None:
    result = tenure.run("rule", "preview", "99")
    assert result.exit_code == 2 and "rule 99 not found" in result.output
