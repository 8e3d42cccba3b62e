"""Time arithmetic in SQL, spelt once per dialect (durations, the hour), and joining a
group's values into one text.

Each expression is a SQLAlchemy function element for queries and, for the rollups'
triggers (`store.rollups`), the same SQL text: `sql(name, dialect, *args)`.
"""

from sqlalchemy import Float, String
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
    # The UTC hour an instant falls in, as the column type stores instants.
    "hour_of": {
        "sqlite": "(substr({0}, 1, 13) || ':00:00.000000')",
        "postgresql": "date_trunc('hour', {0}, 'UTC')",
    },
    "joined": {
        "sqlite": "group_concat({0}, ',')",
        "postgresql": "string_agg(CAST({0} AS TEXT), ',')",
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


class hour_of(FunctionElement):  # noqa: N801
    """The start of the UTC hour a timestamp falls in."""

    type = UTCDateTime()
    inherit_cache = True
    name = "hour_of"


class joined(FunctionElement):  # noqa: N801
    """An aggregate: a group's non-NULL values as one comma-separated text (the report
    reads tens of thousands of per-lead values as a few strings, not as many rows)."""

    type = String()
    inherit_cache = True
    name = "joined"


for _element in (seconds_between, hour_of, joined):
    compiles(_element)(_compile)
