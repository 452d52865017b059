"""Team and personal numbers: revenue, renewals, churn and work per owner."""
