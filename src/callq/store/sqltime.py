"""Time arithmetic in SQL, spelt once per dialect: durations, epoch microseconds, the hour.

Each expression is a SQLAlchemy function element for queries and, for the rollups'
triggers (`store.rollups`), the same SQL text: `sql(name, dialect, *args)`.
"""

from sqlalchemy import BigInteger, Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlmodel.sql.sqltypes import UTCDateTime

# name -> dialect -> template over the arguments' SQL ({0}, {1}).
_TEMPLATES = {
    # `end - start` in seconds.
    "seconds_between": {
        "sqlite": "((julianday({1}) - julianday({0})) * 86400.0)",
        "postgresql": "CAST(EXTRACT(EPOCH FROM ({1} - {0})) AS DOUBLE PRECISION)",
    },
    # Integer microseconds since the Unix epoch (exact: what `rules.hours.us` gives). SQLite
    # stores 'YYYY-MM-DD HH:MM:SS.ffffff'; strftime rounds fractions, so whole seconds from
    # the first 19 characters and the microseconds from the rest.
    "epoch_us": {
        "sqlite": (
            # Whole seconds through julianday (a double: exact to ~50 us at these
            # magnitudes, so round() is exact; ~3x faster than strftime('%s')), then the
            # stored microseconds: julianday itself keeps only milliseconds.
            "(CAST(round((julianday(substr({0}, 1, 19)) - 2440587.5) * 86400) AS INTEGER)"
            " * 1000000 + CAST(substr({0}, 21, 6) AS INTEGER))"
        ),
        "postgresql": (
            "(CAST(EXTRACT(EPOCH FROM date_trunc('second', {0})) AS BIGINT) * 1000000"
            " + MOD(CAST(EXTRACT(MICROSECONDS FROM {0}) AS BIGINT), 1000000))"
        ),
    },
    # The UTC hour an instant falls in, as the column type stores instants.
    "hour_of": {
        "sqlite": "(substr({0}, 1, 13) || ':00:00.000000')",
        "postgresql": "date_trunc('hour', {0}, 'UTC')",
    },
}


def sql(name: str, dialect: str, *args: str) -> str:
    """The SQL text of `name` over argument expressions, for `dialect`."""
    templates = _TEMPLATES[name]
    return templates.get(dialect, templates["postgresql"]).format(*args)


def _compile(element, compiler, **kw):  # noqa: ANN001, ANN202
    args = [compiler.process(arg, **kw) for arg in element.clauses]
    return sql(element.name, compiler.dialect.name, *args)


class seconds_between(FunctionElement):  # noqa: N801  (reads like the SQL function it is)
    """`end - start` in seconds: seconds_between(start, end)."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


class epoch_us(FunctionElement):  # noqa: N801
    """A timestamp as integer microseconds since the Unix epoch, so a many-row result
    skips building datetimes."""

    type = BigInteger()
    inherit_cache = True
    name = "epoch_us"


class hour_of(FunctionElement):  # noqa: N801
    """The start of the UTC hour a timestamp falls in."""

    type = UTCDateTime()
    inherit_cache = True
    name = "hour_of"


for _element in (seconds_between, epoch_us, hour_of):
    compiles(_element)(_compile)
