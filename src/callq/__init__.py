"""callq: the terminal companion for telecalling reps."""

__version__ = "0.1.0"
