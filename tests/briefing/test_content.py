"""The briefing's content: what each role sees of yesterday and what is due."""

from __future__ import annotations

from tenure.briefing.content import build_briefing
from tenure.briefing.document import SECTION_KEYS, BriefingDocument, Section
from tenure.briefing.render import render_text
from tests.briefing.conftest import DAY, ContentCompany


def _section(doc: BriefingDocument, key: str) -> Section:
    return next(s for s in doc.sections if s.key == key)


def test_smoke(content_company: ContentCompany) -> None:
    c = content_company
    for user in (c.executive, c.manager, c.ann):
        doc = build_briefing(c.session, user, DAY)
        print(render_text(doc, "https://tenure.example.com"))
    assert SECTION_KEYS
