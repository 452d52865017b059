"""A briefing as plain text, email HTML and chat Markdown, with absolute links.

The document's links are paths; each renderer puts ``base_url`` (the public
address) in front. Words come from the document itself or from the i18n messages in
the document's language, so a stored briefing renders as it was built.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable

from tenure.briefing.document import BriefingDocument, Item, Section
from tenure.web.i18n import translator

log = logging.getLogger(__name__)

MARKDOWN_LIMIT = 4000
# Longest item text a chat message shows before cutting it.
MARKDOWN_ITEM_TEXT = 120

FONT = (
    "-apple-system,BlinkMacSystemFont,'Segoe UI','PingFang SC','Microsoft YaHei',"
    "sans-serif"
)
INK = "#1d1d1f"
MUTED = "#6e6e73"
ACCENT = "#1565c0"
RULE = "#e5e5ea"


def absolute(base_url: str, path: str) -> str:
    """The address of ``path`` under ``base_url`` (which may end with a slash)."""
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def subject(doc: BriefingDocument) -> str:
    """The email subject or chat title: 'Tenure daily briefing — 2026-12-04'."""
    return doc.title


def _more_text(doc: BriefingDocument, more: int) -> str:
    """'… and 3 more' in the document's language."""
    return translator(doc.locale)("brief.more", count=more)


def render_text(doc: BriefingDocument, base_url: str) -> str:
    """The briefing as plain text: every section with its items and their links."""
    t = translator(doc.locale)
    lines = [doc.title, doc.headline, ""]
    for section in doc.sections:
        lines.append(section.title.upper() if doc.locale == "en" else section.title)
        lines.append(section.summary)
        for item in section.items:
            text = f"- {item.text}"
            if item.detail:
                text += f" — {item.detail}"
            lines.append(text)
            if item.link:
                lines.append(f"  {absolute(base_url, item.link)}")
        if section.more:
            lines.append(f"  {_more_text(doc, section.more)}")
        if section.link and (section.items or section.more):
            lines.append(t("brief.see_all_at", url=absolute(base_url, section.link)))
        lines.append("")
    lines.append(t("brief.open_at", url=absolute(base_url, doc.link)))
    return "\n".join(lines) + "\n"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _html_item(item: Item, base_url: str) -> str:
    """One item as a table row: the text (linked) and its detail under it."""
    text = _e(item.text)
    if item.link:
        text = (
            f'<a href="{_e(absolute(base_url, item.link))}" '
            f'style="color:{ACCENT};text-decoration:none;">{text}</a>'
        )
    detail = (
        f'<div style="color:{MUTED};font-size:14px;line-height:20px;">'
        f"{_e(item.detail)}</div>"
        if item.detail
        else ""
    )
    return (
        f'<tr><td style="padding:8px 0;border-top:1px solid {RULE};'
        f'font-size:16px;line-height:22px;color:{INK};">{text}{detail}</td></tr>'
    )


def _html_section(doc: BriefingDocument, section: Section, base_url: str) -> str:
    """One section as a block: title, summary, items, 'and N more' and its link."""
    t = translator(doc.locale)
    rows = [
        f'<tr><td style="padding:20px 0 4px;font-size:18px;line-height:24px;'
        f'font-weight:bold;color:{INK};">{_e(section.title)}</td></tr>',
        f'<tr><td style="padding:0 0 8px;font-size:16px;line-height:22px;'
        f'color:{INK};">{_e(section.summary)}</td></tr>',
    ]
    rows.extend(_html_item(item, base_url) for item in section.items)
    footer = []
    if section.more:
        footer.append(_e(_more_text(doc, section.more)))
    if section.link and (section.items or section.more):
        footer.append(
            f'<a href="{_e(absolute(base_url, section.link))}" '
            f'style="color:{ACCENT};">{_e(t("brief.see_all"))}</a>'
        )
    if footer:
        rows.append(
            f'<tr><td style="padding:6px 0;font-size:14px;color:{MUTED};">'
            f"{' · '.join(footer)}</td></tr>"
        )
    return "".join(rows)


def render_html(doc: BriefingDocument, base_url: str) -> str:
    """The briefing as a complete email-safe HTML document that reads on a phone."""
    t = translator(doc.locale)
    sections = "".join(_html_section(doc, s, base_url) for s in doc.sections)
    button = (
        f'<a href="{_e(absolute(base_url, doc.link))}" style="display:inline-block;'
        f"background:{ACCENT};color:#ffffff;font-size:16px;font-weight:bold;"
        f'padding:12px 20px;border-radius:6px;text-decoration:none;">'
        f"{_e(t('brief.open'))}</a>"
    )
    return (
        "<!DOCTYPE html>"
        f'<html lang="{_e(doc.locale)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(doc.title)}</title></head>"
        f'<body style="margin:0;padding:0;background:#f5f5f7;font-family:{FONT};">'
        '<div style="display:none;max-height:0;overflow:hidden;">'
        f"{_e(doc.headline)}</div>"
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'border="0" style="background:#f5f5f7;"><tr><td align="center" '
        'style="padding:12px;">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'border="0" style="max-width:600px;background:#ffffff;border-radius:8px;">'
        '<tr><td style="padding:16px 20px 20px;">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'border="0">'
        f'<tr><td style="font-size:14px;color:{MUTED};padding:0 0 4px;">'
        f"{_e(doc.title)} · {_e(t(f'brief.scope.{doc.scope}'))}</td></tr>"
        f'<tr><td style="font-size:20px;line-height:28px;font-weight:bold;'
        f'color:{INK};padding:0 0 4px;">{_e(doc.headline)}</td></tr>'
        f"{sections}"
        f'<tr><td style="padding:24px 0 4px;">{button}</td></tr>'
        "</table></td></tr></table></td></tr></table></body></html>"
    )


def _md_text(text: str, limit: int = MARKDOWN_ITEM_TEXT) -> str:
    """Text safe inside a chat message line and a link's brackets."""
    flat = " ".join(text.split())
    flat = flat.replace("[", "［").replace("]", "］")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _md_section(
    doc: BriefingDocument, section: Section, base_url: str, shown: int
) -> list[str]:
    """A section in Markdown with at most ``shown`` of its items."""
    t = translator(doc.locale)
    lines = [f"### {_md_text(section.title)}", _md_text(section.summary, 300)]
    for item in section.items[:shown]:
        text = _md_text(item.text)
        if item.link:
            text = f"[{text}]({absolute(base_url, item.link)})"
        if item.detail:
            text += f" — {_md_text(item.detail)}"
        lines.append(f"- {text}")
    more = section.more + len(section.items[shown:])
    if more and section.link:
        lines.append(f"[{_md_text(_more_text(doc, more))}]"
                     f"({absolute(base_url, section.link)})")  # fmt: skip
    elif more:
        lines.append(_md_text(_more_text(doc, more)))
    elif section.link and section.items:
        lines.append(f"[{t('brief.see_all')}]({absolute(base_url, section.link)})")
    return lines


def _measure(count_bytes: bool) -> Callable[[str], int]:
    return (lambda s: len(s.encode("utf-8"))) if count_bytes else len


def render_markdown(
    doc: BriefingDocument,
    base_url: str,
    *,
    limit: int = MARKDOWN_LIMIT,
    count_bytes: bool = False,
) -> str:
    """The briefing in Markdown for chat robots, kept under ``limit`` characters.

    When the whole briefing does not fit, every section lists fewer items and says
    how many more there are, linking to its page. ``count_bytes`` measures UTF-8
    bytes instead, for robots whose limit is in bytes.
    """
    t = translator(doc.locale)
    size = _measure(count_bytes)
    head = [f"## {_md_text(doc.title)}", f"**{_md_text(doc.headline, 300)}**"]
    tail = f"[{t('brief.open')}]({absolute(base_url, doc.link)})"
    most = max((len(s.items) for s in doc.sections), default=0)
    text = ""
    for shown in range(most, -1, -1):
        blocks = ["\n".join(head)]
        blocks.extend(
            "\n".join(_md_section(doc, s, base_url, shown)) for s in doc.sections
        )
        blocks.append(tail)
        text = "\n\n".join(blocks)
        if size(text) < limit:
            return text
    log.warning(
        "briefing of user %s on %s does not fit %d in Markdown even without items",
        doc.user_id,
        doc.date,
        limit,
    )
    cut = text[: limit - 1]
    while size(cut) >= limit:
        cut = cut[:-1]
    return cut
