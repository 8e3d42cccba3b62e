"""Persistence: tables, the engine recipe, migrations and query functions (they never commit)."""
