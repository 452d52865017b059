"""Tenure: customer retention and recurring-revenue truth for SaaS companies."""

__version__ = "0.1.0"
