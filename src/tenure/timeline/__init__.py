"""The timeline of an account: notes, calls, meetings, emails and churn reviews."""
