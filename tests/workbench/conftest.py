"""Fixtures of the workbench tests: the health tests' company builder."""

from tests.health.conftest import company, session

__all__ = ["company", "session"]
