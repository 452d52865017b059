"""Generate a realistic demo company and load it into a Tenure database."""

from tenure.demo.generator import DemoData, generate
from tenure.demo.loader import DemoLoadError, load, load_usage

__all__ = ["DemoData", "DemoLoadError", "generate", "load", "load_usage"]
