"""Renderings of a briefing: plain text, email HTML and chat Markdown."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

from tenure.briefing.document import SECTION_KEYS, BriefingDocument, Item, Section
from tenure.briefing.render import (
    MARKDOWN_LIMIT,
    render_html,
    render_markdown,
    render_text,
    subject,
)

BASE = "https://tenure.example.com/"
DAY = dt.date(2026, 12, 4)


def _doc(items: int = 2, name: str = "Acme", locale: str = "en") -> BriefingDocument:
    """A briefing with every section, each with ``items`` customer items."""
    sections = [
        Section(
            key=key,
            title=f"Title of {key}",
            summary=f"Summary of {key}",
            items=[
                Item(text=f"{name} {n}", link=f"/m/customers/C-{n}", detail="+¥1,000")
                for n in range(items)
            ],
            more=3 if key == "renewals_due" else 0,
            link=f"/m/{key}",
        )
        for key in SECTION_KEYS
    ]
    return BriefingDocument(
        user_id=7,
        date=DAY,
        locale=locale,
        scope="book",
        title="Tenure daily briefing — 2026-12-04",
        headline="MRR +¥12,300 · 2 new",
        sections=sections,
        link="/m/briefing/2026-12-04",
    )


class _Links(HTMLParser):
    """Collects every href and every tag of a document."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs.extend(value or "" for key, value in attrs if key == "href")


def test_text_has_every_section_with_absolute_links() -> None:
    text = render_text(_doc(), BASE)

    assert text.startswith("Tenure daily briefing — 2026-12-04\nMRR +¥12,300 · 2 new\n")
    for key in SECTION_KEYS:
        assert f"Summary of {key}" in text
    assert "- Acme 0 — +¥1,000" in text
    assert "  https://tenure.example.com/m/customers/C-0" in text
    assert "… and 3 more" in text
    assert text.rstrip().endswith("https://tenure.example.com/m/briefing/2026-12-04")


def test_html_escapes_every_text() -> None:
    html = render_html(_doc(name="<script>alert(1)</script>"), BASE)

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 0" in html


def test_html_is_a_complete_document_with_absolute_links_only() -> None:
    html = render_html(_doc(), BASE)
    parser = _Links()
    parser.feed(html)

    assert html.startswith("<!DOCTYPE html>")
    assert html.endswith("</html>")
    assert 'name="viewport"' in html
    assert parser.hrefs
    assert all(
        href.startswith("https://tenure.example.com/m/") for href in parser.hrefs
    )
    assert "https://tenure.example.com/m/customers/C-1" in parser.hrefs
    assert "style" not in parser.tags  # inline styles only, for mail clients
    assert "table" in parser.tags


def test_html_is_in_the_documents_language_and_names_the_scope() -> None:
    html = render_html(_doc(locale="zh-CN"), BASE)

    assert '<html lang="zh-CN">' in html
    assert "打开简报" in html
    assert "Tenure daily briefing — 2026-12-04 · 我的客户" in html


def test_markdown_links_items_and_sections() -> None:
    markdown = render_markdown(_doc(), BASE)

    assert markdown.startswith("## Tenure daily briefing — 2026-12-04")
    assert (
        "- [Acme 0](https://tenure.example.com/m/customers/C-0) — +¥1,000" in markdown
    )
    assert "[… and 3 more](https://tenure.example.com/m/renewals_due)" in markdown


def test_markdown_of_a_long_briefing_is_cut_and_says_how_many_more() -> None:
    doc = _doc(items=10, name="A very long customer name " * 6)

    markdown = render_markdown(doc, BASE)

    assert len(markdown) < MARKDOWN_LIMIT
    for key in SECTION_KEYS:
        assert f"### Title of {key}" in markdown
    more = re.findall(r"\[… and (\d+) more\]\(https://tenure\.example\.com/m/(\w+)\)",
                      markdown)  # fmt: skip
    assert {key for _count, key in more} == set(SECTION_KEYS)
    listed = markdown.count("](https://tenure.example.com/m/customers/")
    assert sum(int(count) for count, _key in more) + listed == 6 * 10 + 3


def test_markdown_can_count_bytes_for_robots_that_limit_bytes() -> None:
    doc = _doc(items=10, name="一个很长的客户名称" * 5, locale="zh-CN")

    markdown = render_markdown(doc, BASE, limit=4096, count_bytes=True)

    assert len(markdown.encode("utf-8")) < 4096
    assert "另有" in markdown


def test_markdown_keeps_brackets_in_names_from_breaking_links() -> None:
    markdown = render_markdown(_doc(name="Acme [EU]"), BASE)

    assert "[Acme ［EU］ 0](https://tenure.example.com/m/customers/C-0)" in markdown


def test_subject_is_the_title() -> None:
    assert subject(_doc()) == "Tenure daily briefing — 2026-12-04"


def test_a_base_url_without_trailing_slash_gives_the_same_links() -> None:
    assert render_text(_doc(), BASE.rstrip("/")) == render_text(_doc(), BASE)
