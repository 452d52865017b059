"""A briefing as plain data: sections of items, each linking to a mobile page.

The content is built once when a briefing is claimed and stored as JSON with it, so
a retry sends exactly what the first attempt tried to send. Links are paths (such as
``/m/customers/ACME-1``); renderers put the public address in front.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

log = logging.getLogger(__name__)

# The sections, in the order a briefing shows them.
SECTION_KEYS = (
    "mrr_change",
    "new_customers",
    "churned_customers",
    "renewals_due",
    "tasks_due",
    "health_fell",
)
SCOPES = ("company", "team", "book")


@dataclass(frozen=True)
class Item:
    """One line of a section: what happened, and the page behind it."""

    text: str
    link: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Section:
    """One part of the briefing: a one-line summary and its first items."""

    key: str
    title: str
    summary: str
    items: list[Item] = field(default_factory=list)
    # Items beyond the ones listed; the section's link shows them all.
    more: int = 0
    link: str | None = None


@dataclass(frozen=True)
class BriefingDocument:
    """One user's briefing for a local date; it reports on the day before."""

    user_id: int
    date: dt.date
    locale: str
    scope: str
    title: str
    headline: str
    sections: list[Section]
    link: str

    def to_json(self) -> dict[str, Any]:
        """Return the briefing as JSON-ready values."""
        data = asdict(self)
        data["date"] = self.date.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BriefingDocument:
        """Rebuild a briefing stored with ``to_json``."""
        sections = [
            Section(
                key=s["key"],
                title=s["title"],
                summary=s["summary"],
                items=[Item(**item) for item in s.get("items", [])],
                more=s.get("more", 0),
                link=s.get("link"),
            )
            for s in data["sections"]
        ]
        return cls(
            user_id=data["user_id"],
            date=dt.date.fromisoformat(data["date"]),
            locale=data["locale"],
            scope=data["scope"],
            title=data["title"],
            headline=data["headline"],
            sections=sections,
            link=data["link"],
        )
