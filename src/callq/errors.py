"""Errors a user can act on. Front ends show the message and change nothing (CLI: exit 2).

Every such error derives from `UserError`, so the CLI and the screens catch one class.
"""


class UserError(ValueError):
    """Bad input or a request that cannot be done; the message is for the user."""


class NotFound(UserError):
    pass


class Conflict(UserError):
    """Someone else changed or holds the data meanwhile; nothing was written."""
