"""Products, plans, subscriptions and fixed-term contracts: what customers pay for."""
