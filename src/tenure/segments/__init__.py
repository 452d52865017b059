"""Saved segments, tiers with their priority, and the key-account watch list."""
