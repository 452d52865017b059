"""Sign-in, sessions, API keys, roles and the data each staff user may see."""
