"""Words of the daily briefing, its preferences and the mobile pages.

Kept apart from ``tenure.web.i18n`` only to keep each file readable; ``i18n`` merges
these into its messages.
"""

from __future__ import annotations

# key: (English, 简体中文)
BRIEFING_MESSAGES: dict[str, tuple[str, str]] = {}
