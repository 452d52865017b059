"""Configuration: environment variables and the settings table."""
