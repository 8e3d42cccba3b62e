"""`callq import`: read, map and validate a CSV export, then import it batch by batch."""

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from callq.errors import UserError
from callq.importing.bulk import BatchContext, BatchCounts, write_batch
from callq.importing.headers import parse_maps
from callq.importing.validation import ReadOptions, Reject, ValidatedFile
from callq.rules.model import CHANNELS, Rules
from callq.rules.text import require_storable
from callq.services.exporting import csv_cell
from callq.store import queries
from callq.store.db import Database

BATCH_ROWS = 5000


@dataclass
class ImportResult:
    imported: int
    merged: int
    rejected: int
    rejects_file: Path | None
    already_imported: int = 0  # rows an earlier run of this file recorded (idempotent re-run)
    suppressed: int = 0  # rows whose number is on the do-not-call list (nothing written)
    reopened: int = 0
    rows: int = 0
    dry_run: bool = False
    encoding: str = ""
    delimiter: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # header -> field
    ignored_columns: list[str] = field(default_factory=list)
    unknown_owners: list[str] = field(default_factory=list)
    unknown_timezones: int = 0
    # Lines read as Windows-1252 because they are not UTF-8 like the rest of the file.
    fallback_lines: list[int] = field(default_factory=list)
    # Line -> why it was set aside as a reject unread (a stray quote).
    unreadable: dict[int, str] = field(default_factory=dict)


class _DryRun(Exception):
    """Raised inside the dry run's transaction so that it rolls back."""


def rejects_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejects.csv")


def import_file(
    db: Database,
    rules: Rules,
    path: Path,
    *,
    now: datetime,
    rep: str,
    maps: list[str] | None = None,
    source: str | None = None,
    owner: str | None = None,
    dry_run: bool = False,
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import `path`; every row ends up imported, merged, already imported or rejected."""
    if source is not None and source not in CHANNELS:
        raise UserError(f"--source {source!r}: use one of {', '.join(CHANNELS)}")
    if owner is not None and not owner.strip():
        raise UserError("--owner needs a rep name")
    require_storable("--owner", owner)
    require_storable("the rep name", rep)
    options = ReadOptions(
        explicit_maps=parse_maps(list(maps or [])),
        region=rules.team.region,
        default_source=source or "other",
        batch_rows=batch_rows,
        field_specs=rules.fields,
    )
    ctx = BatchContext(rules, now, rep, owner.strip() if owner else None, path.name)
    target = rejects_path(path)
    if not dry_run:
        _check_rejects_target(target)  # before anything is imported
    counts = BatchCounts()
    rejects: list[Reject] = []
    validated_file = ValidatedFile(path, options)
    layout = validated_file.layout
    total = layout.rows
    if dry_run:
        try:
            with db.write() as session:
                queries.lock_intake(session)
                for batch in validated_file.batches():
                    rejects.extend(batch.rejects)
                    if batch.rows:
                        counts.add(write_batch(session, ctx, batch.rows))
                raise _DryRun
        except _DryRun:
            pass
    else:
        for batch in validated_file.batches():
            rejects.extend(batch.rejects)
            if batch.rows:
                with db.write() as session:
                    queries.lock_intake(session)
                    counts.add(write_batch(session, ctx, batch.rows))
            if progress:
                done = counts.imported + counts.merged + counts.already_imported
                done += counts.suppressed
                progress(done + len(rejects), total)
    if progress:
        progress(total, total)

    written = None
    if not dry_run:
        if rejects:
            _write_rejects(target, layout.headers, rejects, layout.encoding, layout.delimiter)
            written = target
        elif target.is_symlink() or target.exists():
            target.unlink()  # a stale list from an earlier run would mislead
    return ImportResult(
        imported=counts.imported,
        merged=counts.merged,
        rejected=len(rejects),
        rejects_file=written,
        already_imported=counts.already_imported,
        suppressed=counts.suppressed,
        reopened=counts.reopened,
        rows=total,
        dry_run=dry_run,
        encoding=layout.encoding,
        delimiter=layout.delimiter,
        columns={layout.headers[i]: f for i, f in sorted(layout.mapping.items())},
        ignored_columns=[h for i, h in enumerate(layout.headers) if i not in layout.mapping and h],
        unknown_owners=sorted(counts.unknown_owners),
        unknown_timezones=validated_file.unknown_zones,
        fallback_lines=layout.fallback_lines,
        unreadable=layout.set_aside,
    )


def _check_rejects_target(target: Path) -> None:
    """The rejects file must be writable by us alone: refuse a symlink or a directory there,
    or a folder we cannot write, before a single row is imported."""
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise UserError(f"{target} (where rejected rows go) is not a regular file; move it away")
    if not os.access(target.parent, os.W_OK):
        raise UserError(f"cannot write the rejected rows beside the file: {target.parent}")


def _write_rejects(
    target: Path,
    headers: list[str],
    rejects: list[Reject],
    encoding: str,
    delimiter: str,
) -> None:
    """The original columns plus `reason`, so the file can be fixed and imported again.

    It holds names and phones, and it is opened in spreadsheets and pagers: written like
    an export (`exporting.csv_cell`), 0600, never through a symlink, formula-safe (the
    importer reads a neutralised cell back as it was), and its control, bidi and invisible
    characters as the visible placeholders the terminal shows (line breaks and tabs kept).
    """
    reason = "reason" if "reason" not in headers else "callq_reason"
    # Keep UTF-8 for UTF-8 input; anything else gets a BOM so spreadsheets show accents.
    out_encoding = "utf-8" if encoding == "utf-8" else "utf-8-sig"
    width = len(headers)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    except OSError as error:
        raise UserError(f"cannot write the rejected rows to {target}: {error.strerror}") from None
    os.fchmod(fd, 0o600)  # an earlier run's file may have been created wider
    with open(fd, "w", encoding=out_encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow([csv_cell(h) for h in (*headers, reason)])
        for cells, why in rejects:
            padded = cells + [""] * (width - len(cells))
            writer.writerow([csv_cell(cell) for cell in (*padded, why)])
