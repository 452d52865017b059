"""Task titles and descriptions written with placeholders, and a firing's "why".

A template is plain text with ``{name}`` placeholders (``{{`` and ``}}`` for braces).
Only plain names are allowed: no attribute or index access, no conversion or format
spec, so rendering can never reach beyond the values it is given.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Collection, Mapping
from typing import Any

log = logging.getLogger(__name__)

_FORMATTER = string.Formatter()


def placeholders(template: str) -> list[str]:
    """The placeholder names of ``template``; ValueError for a malformed one."""
    try:
        parts = list(_FORMATTER.parse(template))
    except ValueError as exc:
        raise ValueError(f"'{template}' is not a valid template: {exc}") from None
    names: list[str] = []
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if not name.isidentifier():
            raise ValueError(f"placeholder '{{{name}}}' must be a plain name")
        if spec or conversion:
            raise ValueError(f"placeholder '{{{name}}}' takes no format or conversion")
        names.append(name)
    return names


def check_template(template: str, allowed: Collection[str], where: str) -> None:
    """Raise ValueError naming ``where`` if ``template`` is malformed or unknown."""
    try:
        names = placeholders(template)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    for name in names:
        if name not in allowed:
            raise ValueError(
                f"{where}: unknown placeholder '{{{name}}}'; use one of "
                + ", ".join(f"{{{a}}}" for a in allowed)
            )


def text(value: Any) -> str:
    """A value as it reads in a title: whole floats without decimals, None empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill ``template``'s placeholders from ``values`` (missing ones stay empty)."""
    out: list[str] = []
    for literal, name, _spec, _conversion in _FORMATTER.parse(template):
        out.append(literal)
        if name is not None:
            out.append(text(values.get(name)))
    return "".join(out)


def _percent(share: Any) -> str:
    return f"{float(share) * 100:+.0f}%" if isinstance(share, int | float) else "?"


def explain(kind: str, values: Mapping[str, Any]) -> str:
    """One English sentence saying why a rule of ``kind`` fired with ``values``."""
    v = values
    if kind == "health_band":
        return (
            f"health went from {v.get('from_band')} ({text(v.get('from_score'))}, "
            f"{v.get('from_date')}) to {v.get('to_band')} "
            f"({text(v.get('to_score'))}, {v.get('to_date')})"
        )
    if kind == "usage_change":
        return (
            f"{v.get('field')} averaged {text(v.get('average'))} a day over the last "
            f"{v.get('window_days')} days against {text(v.get('previous_average'))} "
            f"the {v.get('window_days')} days before ({_percent(v.get('change'))})"
        )
    if kind == "usage_threshold":
        return (
            f"{v.get('field')} ({v.get('aggregate')} over {v.get('window_days')} "
            f"days) is {text(v.get('value'))}, at least {text(v.get('threshold'))}"
        )
    if kind == "renewal_due":
        return (
            f"renewal of {v.get('amount')} {v.get('currency')} due on "
            f"{v.get('due_date')} ({v.get('days_left')} days left)"
        )
    if kind == "contract_ended":
        return (
            f"term of {v.get('amount')} {v.get('currency')} due on "
            f"{v.get('due_date')} was not renewed (churned on {v.get('churned_on')})"
        )
    if kind == "new_customer":
        return (
            f"new customer since {v.get('start_date')}, MRR {v.get('mrr')} "
            f"{v.get('currency')}"
        )
    if kind == "segment_entered":
        return f"entered the segment {v.get('segment_name')} ({v.get('segment')})"
    return ", ".join(f"{key} {text(value)}" for key, value in values.items())
