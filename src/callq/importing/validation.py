"""Read, map and validate an import file: its layout first, then batches of valid rows.

The whole file is read and its columns mapped before the first batch is handed out: a
broken CSV must change nothing, and the csv module's error may come on the last line.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from callq.importing.fastphone import PhoneNormaliser
from callq.importing.headers import map_columns, require_usable
from callq.importing.reading import read_table
from callq.importing.restore import RestoreReader, export_mapping
from callq.importing.rows import Row, RowReader
from callq.rules.hours import is_zone

Reject = tuple[list[str], str]  # the row's cells, the reason it cannot be imported


@dataclass(frozen=True)
class ReadOptions:
    explicit_maps: dict[str, str]
    region: str
    default_source: str
    batch_rows: int
    field_specs: dict = field(default_factory=dict)  # `[fields]`: a callq export's fields


@dataclass(frozen=True)
class FileLayout:
    """What the writer needs to know before the first batch."""

    headers: list[str]
    mapping: dict[int, str]  # column index -> field
    encoding: str
    delimiter: str
    rows: int
    fallback_lines: list[int]  # lines not in the file's UTF-8, read as Windows-1252
    set_aside: dict[int, str]  # line -> why its row could not be read (a stray quote)


@dataclass(frozen=True)
class ValidatedBatch:
    rows: list[Row]
    rejects: list[Reject]  # the rejected rows read since the previous batch


class ValidatedFile:
    """A file read and mapped whole (UserError when it cannot be), validated batch by batch."""

    def __init__(self, path: Path, options: ReadOptions) -> None:
        table = read_table(path)
        # callq's own export is read by its known columns (unless --map says otherwise).
        exported = None if options.explicit_maps else export_mapping(table.headers)
        mapping = exported or map_columns(table.headers, options.explicit_maps)
        require_usable(mapping, table.headers)
        self.layout = FileLayout(
            table.headers,
            mapping,
            table.encoding,
            table.delimiter,
            len(table.rows),
            table.fallback_lines,
            table.unreadable,
        )
        self._table = table
        self._batch_rows = options.batch_rows
        self._reader = RowReader(
            mapping,
            len(table.headers),
            PhoneNormaliser(options.region),
            default_source=options.default_source,
            valid_zone=is_zone,
            restore=RestoreReader(mapping, options.field_specs) if exported else None,
        )

    @property
    def unknown_zones(self) -> int:
        """Rows whose time zone was not recognised (so far)."""
        return self._reader.unknown_zones

    def batches(self) -> Iterator[ValidatedBatch]:
        """Batches of `batch_rows` valid rows, each with the rows rejected since the last."""
        rows: list[Row] = []
        rejects: list[Reject] = []
        unreadable = self._table.unreadable
        for cells, line in zip(self._table.rows, self._table.lines, strict=True):
            row = unreadable.get(line) if unreadable else None
            if row is None:
                row = self._reader.read(cells, line)
            if isinstance(row, str):
                rejects.append((cells, f"line {line}: {row}"))
                continue
            rows.append(row)
            if len(rows) >= self._batch_rows:
                yield ValidatedBatch(rows, rejects)
                rows, rejects = [], []
        if rows or rejects:
            yield ValidatedBatch(rows, rejects)
