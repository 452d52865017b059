"""Customer accounts, their contacts and their owners."""
