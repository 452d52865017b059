"""Playbooks: admin-defined processes run for an account as ordered, dated tasks."""
