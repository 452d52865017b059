"""Pure decisions of the book: does a rule match an account, who is next in line.

Nothing here reads or writes the database, so it is tested on plain values.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import lru_cache

log = logging.getLogger(__name__)


def matches(
    conditions: Mapping[str, Sequence[str]], fields: Mapping[str, str | None]
) -> bool:
    """Tell whether every condition holds: the field is one of its values.

    Values compare without regard to case or surrounding spaces; an account
    without a value for a field matches no condition on it.
    """
    for field, values in conditions.items():
        value = fields.get(field)
        if value is None:
            return False
        if value.strip().casefold() not in _folded(tuple(values)):
            return False
    return True


@lru_cache(maxsize=4096)
def _folded(values: tuple[str, ...]) -> frozenset[str]:
    """A condition's values as compared: stripped and case-folded (kept per rule)."""
    return frozenset(item.strip().casefold() for item in values)


class Loads:
    """How many accounts each person has, kept up to date as accounts are given."""

    def __init__(self, start: Mapping[int, int]) -> None:
        self._counts = dict(start)

    def of(self, person: int) -> int:
        """The person's count now."""
        return self._counts.get(person, 0)

    def give(self, person: int, taken_from: int | None = None) -> None:
        """Count one more account for ``person`` (one fewer for ``taken_from``)."""
        self._counts[person] = self.of(person) + 1
        if taken_from is not None:
            self._counts[taken_from] = max(0, self.of(taken_from) - 1)


def least_loaded(members: Sequence[tuple[int, str]], loads: Loads) -> int:
    """The member with the fewest accounts; ties go to the first by name.

    ``members`` are (id, name) pairs, in the order ties are broken.
    """
    return min(members, key=lambda member: (loads.of(member[0]), member[1]))[0]


def next_in_turn(members: Sequence[int], last: int | None) -> int:
    """The member after ``last`` in ``members``' order (the first when not found)."""
    if last in members:
        return members[(members.index(last) + 1) % len(members)]
    return members[0]
