"""Errors a user can cause in the health area, and readable validation messages."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

log = logging.getLogger(__name__)


class HealthError(ValueError):
    """A scorecard, override or sentiment value that cannot work; says which."""


class NotFound(LookupError):
    """A scorecard, override or account that does not exist or is out of scope."""


def error_lines(exc: ValidationError, data: Any = None) -> list[str]:
    """Turn pydantic errors into lines naming the measure (by key) and the field."""
    lines = []
    for error in exc.errors():
        lines.append(f"{_place(list(error['loc']), data)}: {_message(error['msg'])}")
    return lines


def _message(text: str) -> str:
    """Drop pydantic's 'Value error, ' prefix from messages raised by validators."""
    return text.removeprefix("Value error, ")


def _place(loc: list[Any], data: Any) -> str:
    """Describe an error location, naming list items by their ``key`` when known."""
    parts: list[str] = []
    node = data
    for number, step in enumerate(loc):
        if isinstance(step, int):
            key = _item_name(node, step)
            item = f"[{step}]" if key is None else f"['{key}']"
            if parts:
                parts[-1] += item
            else:
                parts.append(item)
        elif step in ("bands", "tiers", "linear") and loc[number - 1 : number] == [
            "scoring"
        ]:
            continue
        else:
            parts.append(str(step))
        node = _child(node, step)
    return ".".join(parts) or "document"


def _item_name(node: Any, step: int) -> str | None:
    """The ``key`` (measures, exceptions) or ``name`` (bands, scorecards) of an item."""
    if isinstance(node, list) and step < len(node) and isinstance(node[step], dict):
        found = node[step].get("key") or node[step].get("name")
        return found if isinstance(found, str) else None
    return None


def _child(node: Any, step: Any) -> Any:
    if isinstance(node, dict):
        return node.get(step)
    if isinstance(node, list) and isinstance(step, int) and step < len(node):
        return node[step]
    return None
