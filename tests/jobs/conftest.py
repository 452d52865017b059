"""The jobs tests use the usage tests' command line fixture."""

from tests.usage.conftest import cli

__all__ = ["cli"]
