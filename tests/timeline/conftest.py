"""The timeline tests use the task tests' organisation: staff, accounts, tasks."""

from __future__ import annotations

from tests.tasks.conftest import org, people, session

__all__ = ["org", "people", "session"]
