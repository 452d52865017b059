"""Database foundation: the declarative base, engines and sessions."""
