"""The TUI's screens: queue, lead, outcome form, small forms, search, help."""
