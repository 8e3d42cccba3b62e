"""Exchange commands: import CSV exports, export leads/calls/timeline/callbacks, back up."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from callq.cli import app, command, fail, state
from callq.cli.render import echo, print_json

PROGRESS_MIN_ROWS = 2000


class ImportFormat(StrEnum):
    table = "table"
    json = "json"


@app.command("import")
@command
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A CSV export (HubSpot, Salesforce, Zoho, ...).")],
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="COLUMN=field for a header callq does not recognise."),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Channel for rows without a source.")
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option("--owner", help="Owner of every new lead (default: round-robin)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and count; change nothing.")
    ] = False,
    format: Annotated[
        ImportFormat, typer.Option("--format", help="table for people, json for scripts")
    ] = ImportFormat.table,
) -> None:
    """Import leads from a CSV file; duplicates merge, bad rows go to FILE.rejects.csv."""
    from callq.importing.importer import import_file

    st = state(ctx)
    settings = st.settings
    if not file.is_file():
        fail(f"no such file: {file}")
    db = st.open_db(brings_leads=True)
    with _progress_bar() as progress:
        result = import_file(
            db,
            settings.rules,
            file,
            now=settings.now(),
            rep=settings.rep,
            maps=map_ or [],
            source=source,
            owner=owner,
            dry_run=dry_run,
            progress=progress,
        )
    if format is ImportFormat.json:
        print_json(
            {
                "imported": result.imported,
                "merged": result.merged,
                "rejected": result.rejected,
                "rejects_file": str(result.rejects_file) if result.rejects_file else None,
                "already_imported": result.already_imported,
                "suppressed": result.suppressed,
                "reopened": result.reopened,
                "rows": result.rows,
                "dry_run": result.dry_run,
                "columns": result.columns,
                "ignored_columns": result.ignored_columns,
                "unknown_owners": result.unknown_owners,
                "unknown_timezones": result.unknown_timezones,
                "unreadable_lines": sorted(result.unreadable),
                "fallback_lines": result.fallback_lines,
            },
            settings.viewer_zone,
        )
        return
    prefix = "dry run, nothing written: would have " if dry_run else ""
    typer.echo(
        f"{prefix}imported {result.imported} · merged {result.merged} · "
        f"rejected {result.rejected}"
        + (f" · already imported {result.already_imported}" if result.already_imported else "")
        + (f" · suppressed {result.suppressed} (do not call)" if result.suppressed else "")
    )
    if result.reopened:
        typer.echo(f"{result.reopened} closed leads reopened by a new inquiry")
    if result.rejects_file:
        echo(f"rejected rows and reasons: {result.rejects_file}")
    unreadable = sorted(result.unreadable.items())
    for line, reason in unreadable[:5]:
        # Said loudly: these rows are in the rejects file, but a broken file is news.
        echo(f"callq: line {line} set aside in the rejects file: {reason}", err=True)
    if len(unreadable) > 5:
        typer.echo(f"callq: {len(unreadable) - 5} more unreadable lines set aside", err=True)
    if result.fallback_lines:
        typer.echo(
            f"callq: {_lines(result.fallback_lines)} not UTF-8 like the rest of the file; "
            "read as Windows-1252 (check their accented letters)",
            err=True,
        )
    if result.ignored_columns:
        echo(
            "callq: columns not imported: "
            + ", ".join(result.ignored_columns)
            + " (use --map COLUMN=field)",
            err=True,
        )
    if result.unknown_owners:
        shown = ", ".join(result.unknown_owners[:5])
        echo(f"callq: owners not known as reps, assigned round-robin: {shown}", err=True)
    if result.unknown_timezones:
        typer.echo(
            f"callq: {result.unknown_timezones} rows had an unknown timezone; "
            "the team's timezone applies",
            err=True,
        )


def _lines(numbers: list[int], shown: int = 8) -> str:
    """`line 4` / `lines 4, 9, 12 and 3 more`."""
    head = ", ".join(str(n) for n in numbers[:shown])
    more = f" and {len(numbers) - shown} more" if len(numbers) > shown else ""
    return f"line{'s' if len(numbers) > 1 else ''} {head}{more}"


class _progress_bar:  # noqa: N801  (a context manager used like a function)
    """A rich progress bar on stderr for large files, when stderr is a terminal."""

    def __init__(self) -> None:
        self._bar = None
        self._task = None

    def __enter__(self):  # noqa: ANN204
        return self.update if sys.stderr.isatty() else None

    def update(self, done: int, total: int) -> None:
        if total < PROGRESS_MIN_ROWS:
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("importing", total=total)
        self._bar.update(self._task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    ics = "ics"


@app.command("export")
@command
def export_command(
    ctx: typer.Context,
    format: Annotated[
        ExportFormat, typer.Option("--format", help="csv, json, or ics (upcoming callbacks)")
    ] = ExportFormat.csv,
    leads: Annotated[bool, typer.Option("--leads", help="Export leads (the default).")] = False,
    calls: Annotated[bool, typer.Option("--calls", help="Export calls.")] = False,
    timeline: Annotated[
        bool, typer.Option("--timeline", help="Export every lead's timeline events.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (default: stdout).")
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="ics: only this rep's follow-ups.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the --output file if it exists.")
    ] = False,
) -> None:
    """Export leads, calls or timelines (CSV safe for spreadsheets, JSON for scripts)."""
    from callq.services import exporting

    st = state(ctx)
    settings = st.settings
    if sum((leads, calls, timeline)) > 1:
        fail("choose one of --leads, --calls, --timeline")
    db = st.open_db()
    if format is ExportFormat.ics:
        if calls or timeline:
            fail("--format ics exports upcoming callbacks; it takes no --calls/--timeline")
        now = settings.now()
        rows = exporting.callback_rows(db, now=now, owner=owner)
        _emit(exporting.ics_text(rows, now=now), output, force=force)
        if output:
            typer.echo(f"{len(rows)} upcoming follow-ups written to {output}", err=True)
        return
    if calls:
        rows, columns = exporting.call_rows(db), exporting.CALL_COLUMNS
    elif timeline:
        rows, columns = exporting.timeline_rows(db), exporting.TIMELINE_COLUMNS
    else:
        rows, columns = exporting.lead_rows(db), exporting.LEAD_COLUMNS
    if format is ExportFormat.json:
        from callq.cli.render import json_text

        _emit(json_text(list(rows), settings.viewer_zone), output, force=force)
        return
    import io

    buffer = io.StringIO(newline="")
    exporting.write_csv(rows, columns, buffer)
    _emit(buffer.getvalue(), output, force=force)


def _emit(text: str, output: Path | None, *, force: bool) -> None:
    """To stdout, or to a new 0600 file that is no symlink (`exporting.open_export`)."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from callq.services.exporting import open_export

    try:
        with open_export(output, force=force) as handle:
            handle.write(text)
    except OSError as error:  # a full disk or a vanished directory while writing
        fail(f"cannot write {output}: {error.strerror}")


@app.command("backup")
@command
def backup_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write the copy.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
) -> None:
    """A consistent copy of the database, as one SQLite file, while others keep working."""
    from callq.services.backup import backup

    st = state(ctx)
    result = backup(st.open_db(), file, force=force)
    typer.echo(f"backed up {result.leads} leads to {result.path} ({result.bytes:,} bytes)")
