"""Tasks: the work a CSM does for an account, from rules, playbooks or by hand."""
