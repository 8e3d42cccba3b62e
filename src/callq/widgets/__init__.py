"""Reusable TUI widgets with their own DEFAULT_CSS."""
