"""`callq import`: read, map and validate a CSV export, then import it batch by batch."""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from callq.errors import UserError
from callq.importing.bulk import BatchContext, BatchCounts, batched, write_batch
from callq.importing.fastphone import PhoneNormaliser
from callq.importing.headers import map_columns, parse_maps, require_usable
from callq.importing.reading import read_table
from callq.importing.rows import Row, RowReader
from callq.rules.model import CHANNELS, Rules
from callq.services.common import zone
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
    reopened: int = 0
    rows: int = 0
    dry_run: bool = False
    encoding: str = ""
    delimiter: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # header -> field
    ignored_columns: list[str] = field(default_factory=list)
    unknown_owners: list[str] = field(default_factory=list)
    unknown_timezones: int = 0


class _DryRun(Exception):
    """Raised inside the dry run's transaction so that it rolls back."""


def rejects_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejects.csv")


def _valid_zone(name: str) -> bool:
    try:
        zone(name)
    except Exception:
        return False
    return True


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
    explicit = parse_maps(list(maps or []))
    table = read_table(path)
    mapping = map_columns(table.headers, explicit)
    require_usable(mapping, table.headers)

    reader = RowReader(
        mapping,
        len(table.headers),
        PhoneNormaliser(rules.team.region),
        default_source=source or "other",
        valid_zone=_valid_zone,
    )
    rejects: list[tuple[list[str], str]] = []

    def prepared() -> Iterator[Row]:
        for cells, line in zip(table.rows, table.lines, strict=True):
            row = reader.read(cells, line)
            if isinstance(row, str):
                rejects.append((cells, f"line {line}: {row}"))
            else:
                yield row

    ctx = BatchContext(rules, now, rep, owner.strip() if owner else None, path.name)
    counts = BatchCounts()
    total = len(table.rows)
    if dry_run:
        try:
            with db.write() as session:
                queries.lock_intake(session)
                for batch in batched(prepared(), batch_rows):
                    counts.add(write_batch(session, ctx, batch))
                raise _DryRun
        except _DryRun:
            pass
    else:
        for batch in batched(prepared(), batch_rows):
            with db.write() as session:
                queries.lock_intake(session)
                counts.add(write_batch(session, ctx, batch))
            if progress:
                progress(
                    counts.imported + counts.merged + counts.already_imported + len(rejects), total
                )
    if progress:
        progress(total, total)

    target = rejects_path(path)
    written = None
    if not dry_run:
        if rejects:
            _write_rejects(target, table.headers, rejects, table.encoding, table.delimiter)
            written = target
        elif target.exists():
            target.unlink()  # a stale list from an earlier run would mislead
    return ImportResult(
        imported=counts.imported,
        merged=counts.merged,
        rejected=len(rejects),
        rejects_file=written,
        already_imported=counts.already_imported,
        reopened=counts.reopened,
        rows=total,
        dry_run=dry_run,
        encoding=table.encoding,
        delimiter=table.delimiter,
        columns={table.headers[i]: f for i, f in sorted(mapping.items())},
        ignored_columns=[h for i, h in enumerate(table.headers) if i not in mapping and h],
        unknown_owners=sorted(counts.unknown_owners),
        unknown_timezones=reader.unknown_zones,
    )


def _write_rejects(
    target: Path,
    headers: list[str],
    rejects: list[tuple[list[str], str]],
    encoding: str,
    delimiter: str,
) -> None:
    """The original columns plus `reason`, so the file can be fixed and imported again."""
    reason = "reason" if "reason" not in headers else "callq_reason"
    # Keep UTF-8 for UTF-8 input; anything else gets a BOM so spreadsheets show accents.
    out_encoding = "utf-8" if encoding == "utf-8" else "utf-8-sig"
    width = len(headers)
    with target.open("w", encoding=out_encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow([*headers, reason])
        for cells, why in rejects:
            padded = cells + [""] * (width - len(cells))
            writer.writerow([*padded, why])
