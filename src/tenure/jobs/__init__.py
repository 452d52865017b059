"""Scheduled work (rollups, scoring): named jobs that run once per period."""
