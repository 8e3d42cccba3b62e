"""The errors a screen shows to the rep (and then carries on): bad input, conflicts, a busy db."""

from callq.config import ConfigError
from callq.errors import UserError
from callq.phones import PhoneError
from callq.phrases import CallbackError
from callq.rules.outcomes import NeedsCallbackTime
from callq.store.db import DatabaseError
from callq.timeexpr import TimeExprError

SHOWN_ERRORS = (
    UserError,
    PhoneError,
    CallbackError,
    NeedsCallbackTime,
    TimeExprError,
    DatabaseError,
    ConfigError,
)
