"""Rules that turn risk and opportunity signals into tasks, playbooks and notices."""
