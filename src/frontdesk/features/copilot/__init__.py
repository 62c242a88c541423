"""AI text for reps: auto-pounce greetings now (suggest/expand/tune later), with safe fallbacks."""
