"""Staff users and teams: the people who own and serve customers."""
