"""What an import reports: its counts and notes, or every problem it found."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """One reason why a cell, a row or a whole file cannot be imported."""

    file: str
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        """Render as ``file:row:column: reason (value '...')``."""
        where = f"{self.file}:{self.row}:{self.column}"
        return f"{where}: {self.reason} (value '{self.value}')"


class ImportFailed(Exception):
    """An import that changed nothing because at least one row has a problem."""

    def __init__(self, problems: list[Problem]) -> None:
        """Keep every problem, ordered by row."""
        self.problems = sorted(problems, key=lambda problem: problem.row)
        count = len(self.problems)
        head = "\n".join(str(problem) for problem in self.problems[:20])
        more = f"\n... and {count - 20} more" if count > 20 else ""
        super().__init__(f"{count} problem(s), nothing imported:\n{head}{more}")


class UnknownKind(ValueError):
    """An import kind that is not one of ``KINDS``."""


@dataclass
class ImportResult:
    """The counts of one import and what it means for the revenue facts."""

    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    account_ids: set[int] = field(default_factory=set)
    fx_changed: bool = False
    notes: list[str] = field(default_factory=list)
