"""Revenue engine: MRR, its movements, retention and renewals."""
