"""One function per user intent: open a session, call store + rules, commit once."""
