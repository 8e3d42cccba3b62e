"""Every table of callq. Timestamps are aware UTC (SQLModel's UTCDateTime).

The tables services read and write as objects are SQLModel classes; the ones only ever
used through Core statements (the outbox, intake keys, the do-not-call list, meta) are
plain `Table`s on the same metadata, with the same DDL: a SQLModel table class costs
~5 ms of every command's start-up (pydantic and the ORM mapping), a `Table` ~0.5 ms.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Integer, Table, Text, text
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from callq.rules.model import CLOSED_STAGES


class Rep(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    role: str = "rep"
    timezone: str | None = None
    active: bool = True
    # Away from `away_since` until `away_until` (None: until marked back); None, None:
    # available. Round-robin, routing and escalation skip an away rep (rules.availability).
    away_since: datetime | None = None
    away_until: datetime | None = None


# Leads in a closed stage (the report's conversion rate), spelt literally for the partial
# index as for LEAD_TIMES_PENDING.
LEAD_CLOSED = f"stage IN ({', '.join(repr(stage) for stage in CLOSED_STAGES)})"

# What a lead's kept business times (Lead.sla_deadline_at, first_response_us) are computed
# from, besides the rules: its arrival, timezone, source (the SLA target) and first call.
LEAD_TIME_INPUTS = ("created_at", "timezone", "source", "first_call_at")

# Leads whose kept business times (Lead.sla_deadline_at, first_response_us) are missing
# or stale: the report computes them (services.lead_times). Spelt once, as text: SQLite uses
# the partial index only for a query that says its WHERE the same way.
LEAD_TIMES_PENDING = (
    "sla_deadline_at IS NULL OR (first_call_at IS NOT NULL AND first_response_us IS NULL)"
)


class Lead(SQLModel, table=True):
    __table_args__ = (
        Index("ix_lead_owner_stage", "owner_id", "stage"),
        # Covering for the report's leads created in a window (first response, SLA, speed
        # to lead: the kept business times and call facts included).
        Index(
            "ix_lead_created_cover",
            "created_at",
            "owner_id",
            "source",
            "sla_owner_id",
            "first_call_at",
            "sla_deadline_at",
            "first_response_us",
            "last_call_at",
            "call_count",
            "first_converted_at",
            "converted_touch",
        ),
        # Closed leads by their last call (the measured conversion rate): a call on an open
        # lead leaves it alone.
        Index(
            "ix_lead_closed_last_call",
            "last_call_at",
            "stage",
            sqlite_where=text(LEAD_CLOSED),
        ),
        # The leads whose business times the report has still to compute.
        Index("ix_lead_times_pending", "id", sqlite_where=text(LEAD_TIMES_PENDING)),
        # Covering for the report's leads first called in a window (second touches).
        Index(
            "ix_lead_first_call",
            "first_call_at",
            "first_call_outcome",
            "second_call_at",
            "owner_id",
            "source",
        ),
        # Covering for the report's leads first qualified in a window.
        Index(
            "ix_lead_first_qualified",
            "first_qualified_at",
            "owner_id",
            "source",
            "qualified_again_at",
        ),
        # The report's uncontacted (NULL) and recently first-touched leads.
        Index("ix_lead_first_touch", "first_touch_at"),
        # The leads escalation still has to look at: escalating one takes it out.
        Index(
            "ix_lead_escalation_due",
            "created_at",
            sqlite_where=text("escalated_at IS NULL AND first_touch_at IS NULL"),
        ),
        # Ids are never reused (an undone call's id stays in the timeline's events).
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str
    phone: str = Field(unique=True)  # E.164; one lead per number, duplicates merge
    other_phones: str = ""  # comma-separated E.164
    email: str = ""
    company: str = ""
    source: str = "other"
    interest: str = ""
    urgency: str = "normal"
    owner_id: int | None = Field(default=None, foreign_key="rep.id")
    stage: str = "new"
    timezone: str | None = None
    created_at: datetime
    first_touch_at: datetime | None = None
    escalated_at: datetime | None = None
    claimed_by_id: int | None = Field(default=None, foreign_key="rep.id")
    claimed_until: datetime | None = None
    # The owner when the SLA deadline passed, recorded when the lead moves after it
    # (None: the current owner, who then owned it at the deadline too).
    sla_owner_id: int | None = Field(default=None, foreign_key="rep.id")
    # Free tags (a JSON list) and the custom fields `[fields]` declares (a JSON object of
    # name -> value): `callq edit`, spelt by rules.fields. Nothing filters on them in SQL.
    tags: str = Field(default="[]", sa_column_kwargs={"server_default": "[]"})
    fields: str = Field(default="{}", sa_column_kwargs={"server_default": "{}"})
    # The lead's calls in (started_at, id) order, kept by database triggers (store.rollups)
    # for the report: the first call's start and outcome, the second's and the last's
    # start, how many. Nothing in Python writes them.
    first_call_at: datetime | None = None
    first_call_outcome: str | None = None
    second_call_at: datetime | None = None
    last_call_at: datetime | None = None
    call_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Kept the same way with the outcomes the rules give those stages: the first call
    # whose outcome qualified the lead and the first call after it, the first call that
    # qualified or won it and that call's number among the lead's calls
    # (store.rollups.ensure_outcome_stages).
    first_qualified_at: datetime | None = None
    qualified_again_at: datetime | None = None
    first_converted_at: datetime | None = None
    converted_touch: int | None = None
    # The SLA deadline and the first response in business time (microseconds), as the
    # rules' business clock gives them, kept for the report: computed by it for new or
    # stale leads (a trigger clears both when created_at, timezone, source or
    # first_call_at changes; a rules change clears every lead's). None: to compute.
    sla_deadline_at: datetime | None = None
    first_response_us: int | None = Field(default=None, sa_type=BigInteger)


class Call(SQLModel, table=True):
    __table_args__ = (
        Index("ix_call_lead_started", "lead_id", "started_at"),
        Index("ix_call_rep_started", "rep_id", "started_at"),
        # Covering for the report's window scans (started_at range): no table lookups.
        Index(
            "ix_call_started_cover",
            "started_at",
            "lead_id",
            "rep_id",
            "connected",
            "outcome",
            "ended_at",
            "channel",
        ),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id")
    rep_id: int = Field(foreign_key="rep.id")
    started_at: datetime
    ended_at: datetime
    outcome: str
    connected: bool = False
    note: str = ""
    logged_at: datetime  # when it was recorded; undo is allowed for 10 minutes after
    # The touch's channel: "call", or a message channel of the rules ("sms", "whatsapp", ...).
    channel: str = Field(default="call", sa_column_kwargs={"server_default": "call"})


class FollowUp(SQLModel, table=True):
    __tablename__ = "followup"
    __table_args__ = (
        # The invariant's half that a database can enforce: at most one open follow-up a lead.
        Index(
            "ux_followup_one_open",
            "lead_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
        ),
        # The queue: a rep's open follow-ups by due time; `kind` makes it covering for the
        # section counts (New is kind = first_response), so they never touch the table.
        Index(
            "ix_followup_open_owner_due_kind",
            "owner_id",
            "due_at",
            "kind",
            sqlite_where=text("status = 'open'"),
        ),
        # Covering for the report's window scans (due_at range): no table lookups.
        Index(
            "ix_followup_due_cover",
            "due_at",
            "lead_id",
            "owner_id",
            "status",
            "completed_at",
            "created_at",
            "deadline_owner_id",
        ),
        Index("ix_followup_lead", "lead_id"),
        # Covering for the report's follow-ups done since an instant (open then: the
        # previous window's overdue count), without reading every older due time.
        Index(
            "ix_followup_done_at",
            "completed_at",
            "due_at",
            "created_at",
            "owner_id",
            "lead_id",
            "status",  # implied by the WHERE, but SQLite reads the row without it
            sqlite_where=text("status = 'done'"),
        ),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id")
    owner_id: int | None = Field(default=None, foreign_key="rep.id")
    due_at: datetime
    kind: str
    status: str = "open"
    touch: int | None = None  # cadence touch number (1 = first response)
    created_at: datetime
    completed_at: datetime | None = None
    created_by_call_id: int | None = Field(default=None, foreign_key="call.id")
    completed_by_call_id: int | None = Field(default=None, foreign_key="call.id")
    # The owner at due + late_after, recorded when the follow-up moves after that deadline
    # (None: the current owner). Misses are counted against this rep.
    deadline_owner_id: int | None = Field(default=None, foreign_key="rep.id")
    # A cadence touch sent as a message: its channel and template (None: a call).
    channel: str | None = None
    template: str | None = None


def add_postgresql_options() -> None:
    """Give the partial indexes their PostgreSQL spelling; called when a PostgreSQL engine is made.

    Naming `postgresql_where` in the model imports SQLAlchemy's PostgreSQL dialect (with
    asyncpg support and pg_catalog) into every SQLite process: ~10% of a command's start-up.
    """
    for index in (
        *Lead.__table__.indexes,
        *FollowUp.__table__.indexes,
        *outbox_table.indexes,
        *dnc_table.indexes,
    ):
        where = index.dialect_kwargs.get("sqlite_where")
        if where is not None and index.dialect_kwargs.get("postgresql_where") is None:
            index.dialect_kwargs["postgresql_where"] = where


class Event(SQLModel, table=True):
    """The append-only timeline of a lead: rows are inserted, never updated or deleted."""

    __table_args__ = (Index("ix_event_lead", "lead_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id")
    at: datetime
    type: str
    rep_id: int | None = Field(default=None, foreign_key="rep.id")
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))


meta_table = Table(
    "meta",  # Small named values: the round-robin pointer, the change counter.
    SQLModel.metadata,
    Column("key", AutoString, primary_key=True),
    Column("value", AutoString, nullable=False, default=""),
)

# Events out: one row per event and hook that subscribes to it, written in the
# transaction of the change itself, so a change and its event commit together. A row is
# pending until `delivered_at` is set; a failed attempt counts in `attempts` and waits
# for `next_attempt_at`.
outbox_table = Table(
    "outbox",
    SQLModel.metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", AutoString, nullable=False),  # the event's own id, the same for every hook
    Column("hook", AutoString, nullable=False),
    Column("lead_id", Integer, nullable=False),
    Column("type", AutoString, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("body", Text, nullable=False),  # the event as JSON
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("first_failed_at", UTCDateTime, nullable=True),
    Column("last_error", AutoString, nullable=False, default=""),
    Column("delivered_at", UTCDateTime, nullable=True),
    # The deliverer's question: a hook's pending rows, per lead, oldest first.
    Index("ix_outbox_pending", "hook", "lead_id", "id", sqlite_where=text("delivered_at IS NULL")),
    Index("ix_outbox_delivered", "delivered_at"),
    sqlite_autoincrement=True,
)

# An intake request's idempotency key and the answer it got (kept 24 hours).
intake_key_table = Table(
    "intake_key",
    SQLModel.metadata,
    Column("key", AutoString, primary_key=True),  # "header:<Idempotency-Key>" or "google:<lead_id>"
    Column("created_at", UTCDateTime, nullable=False),
    Column("status", Integer, nullable=False),
    Column("answer", Text, nullable=False),  # the JSON body sent back
    Index("ix_intake_key_created", "created_at"),
)

# The number-level do-not-call list. A number is listed while its row has no
# `removed_at`; a removal keeps the row (who, when, why), so the list is its own audit
# trail, also for numbers no lead has. The timeline of a lead with the number gets an event.
dnc_table = Table(
    "dnc",
    SQLModel.metadata,
    Column("id", Integer, primary_key=True),
    Column("phone", AutoString, nullable=False),  # E.164
    Column("added_at", UTCDateTime, nullable=False),
    Column("reason", AutoString, nullable=False, default=""),
    # a rep's name, "import", or "outcome" (a dnc-stage outcome)
    Column("added_by", AutoString, nullable=False, default=""),
    Column("removed_at", UTCDateTime, nullable=True),
    Column("removed_reason", AutoString, nullable=False, default=""),
    Column("removed_by", AutoString, nullable=False, default=""),
    # At most one live listing a number; the listing check is this index.
    Index("ux_dnc_listed", "phone", unique=True, sqlite_where=text("removed_at IS NULL")),
    sqlite_autoincrement=True,
)
