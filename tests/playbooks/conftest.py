"""The playbook tests build companies as the segment tests do, on both backends."""

from tests.segments.conftest import company, session

__all__ = ["company", "session"]
