"""Customer health: scorecards per segment, daily scores and their explanations."""
