"""Book of business: who owns which account, assignment rules and reassignment."""
