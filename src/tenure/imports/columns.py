"""Match a file's header to the columns an import kind knows, and number its rows."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from tenure.imports.cells import Row
from tenure.imports.results import Problem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Columns:
    """The columns of one import kind: required, alternatives and optional."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # Groups of which at least one column must be present, e.g. two amount styles.
    one_of: tuple[tuple[str, ...], ...] = ()
    known: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        """Collect every known column name."""
        names = set(self.required) | set(self.optional)
        for group in self.one_of:
            names.update(group)
        object.__setattr__(self, "known", frozenset(names))


def canonical(title: str) -> str:
    """Return the column name a header title stands for: lower case, underscores."""
    return "_".join(title.strip().lower().replace("-", " ").split())


@dataclass
class Header:
    """A header matched to known columns; ``extra`` keeps unknown titles as written."""

    names: dict[str, str]
    present: set[str]
    extra: list[str]


def match_header(
    source: str, titles: Iterable[str], columns: Columns
) -> tuple[Header, list[Problem]]:
    """Map each header title to a known column; report missing or repeated ones."""
    names: dict[str, str] = {}
    seen: dict[str, str] = {}
    extra: list[str] = []
    problems: list[Problem] = []
    for title in titles:
        name = canonical(title)
        key = name if name in columns.known else title.strip()
        if key in seen:
            problems.append(
                Problem(source, 1, title, title, f"column repeats '{seen[key]}'")
            )
            continue
        seen[key] = title
        names[title] = key
        if name not in columns.known:
            extra.append(title.strip())
    present = set(names.values())
    for name in columns.required:
        if name not in present:
            problems.append(Problem(source, 1, name, "", "required column is missing"))
    for group in columns.one_of:
        if not present.intersection(group):
            problems.append(
                Problem(
                    source,
                    1,
                    group[0],
                    "",
                    f"one of the columns {' or '.join(group)} is required",
                )
            )
    return Header(names, present, extra), problems


def numbered_rows(
    source: str,
    header: Header,
    rows: Iterable[Mapping[str, object]],
    problems: list[Problem],
) -> Iterator[Row]:
    """Yield each non-blank row with its spreadsheet row number (header is row 1)."""
    names = header.names
    for number, raw in enumerate(rows, start=2):
        values: dict[str, str] = {}
        for title, value in raw.items():
            if value is None:
                continue
            text = value.strip() if isinstance(value, str) else str(value).strip()
            if text:
                values[names.get(title, title)] = text
        if values:
            yield Row(source, number, values, problems)
