"""Read a CSV export whatever produced it: encoding, delimiter, quoting, line endings.

Nothing is lost silently. A file that is UTF-8 but for a few lines keeps its UTF-8 and
those lines are read as Windows-1252 and named. A quote that is never closed would make
the csv module read the rest of the file as one field (or, paired with a quote that ends
a field lines later, join rows into one): the line it opens on is set aside (a reject
with the reason) and reading goes on at the next line. (A cell no database can
store, one holding a NUL, is the row validation's to reject: `rules.text`.)
"""

import codecs
import contextlib
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from callq.errors import UserError

DELIMITERS = (",", ";", "\t", "|")
_LINE_BREAK = re.compile(rb"(\r\n|\r|\n)")  # the breaks the csv module counts as lines
UNCLOSED_QUOTE = (
    'a quote (") opened on this line is not closed properly and would swallow the lines '
    "after it; reading went on at line {next}"
)
UNCLOSED_AT_END = 'a quote (") opened on this line is never closed'


@dataclass(frozen=True)
class Table:
    """A decoded CSV file: its header, its data rows (with their first line numbers)."""

    headers: list[str]
    rows: list[list[str]]
    lines: list[int]  # the file line each row starts on (1-based; the header is line 1)
    encoding: str
    delimiter: str
    # line -> why the row starting there cannot be read (its cells are the raw line)
    unreadable: dict[int, str] = field(default_factory=dict)
    fallback_lines: list[int] = field(default_factory=list)  # not UTF-8: read as cp1252


def decode(raw: bytes) -> tuple[str, str, list[int]]:
    """The text, the encoding and the lines that needed the legacy fallback.

    A BOM wins; then strict UTF-8; a file that is UTF-8 but for some lines keeps UTF-8 for
    the others (one stray Latin-1 byte must not turn every Hindi name into mojibake); a
    file with no UTF-8 text beyond ASCII at all is Windows-1252 (Latin-1) throughout.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError as error:
            raise UserError(f"not valid UTF-16 (at byte {error.start})") from None
    encoding = "utf-8"
    if raw.startswith(codecs.BOM_UTF8):
        raw, encoding = raw[len(codecs.BOM_UTF8) :], "utf-8-sig"
    try:
        return raw.decode("utf-8"), encoding, []
    except UnicodeDecodeError:
        pass
    parts = _LINE_BREAK.split(raw)  # line, break, line, break, ..., line
    texts: list[str] = []
    fallback: list[int] = []
    utf8_beyond_ascii = False
    for index, part in enumerate(parts):
        if index % 2:  # a line break
            texts.append(part.decode("ascii"))
            continue
        try:
            texts.append(part.decode("utf-8"))
            utf8_beyond_ascii = utf8_beyond_ascii or not part.isascii()
        except UnicodeDecodeError:
            texts.append(_legacy(part))
            fallback.append(index // 2 + 1)
    if utf8_beyond_ascii or encoding == "utf-8-sig":
        return "".join(texts), encoding, fallback
    legacy = "cp1252"
    try:
        raw.decode(legacy)
    except UnicodeDecodeError:
        legacy = "latin-1"
    return _legacy(raw), legacy, []


def _legacy(raw: bytes) -> str:
    # Excel on Windows writes cp1252: like Latin-1 but with curly quotes, euro, dashes.
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the candidate that occurs most outside quotes."""
    header = _first_record(text)
    counts = {d: _count_unquoted(header, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_table(path: Path) -> Table:
    """Parse `path`; UserError when it cannot be read, is not text, or has no header."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"no such file: {path}") from None
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror}") from None
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and b"\x00" in _LINE_BREAK.split(raw[:65536], maxsplit=1)[0]:
        # A spreadsheet, a zip or UTF-16 without a BOM: NUL bytes from the first line on.
        raise UserError(f"{path} is not a text CSV file (it contains NUL bytes)")
    try:
        text, encoding, fallback = decode(raw)
    except UserError as error:
        raise UserError(f"{path}: {error}") from None
    delimiter = sniff_delimiter(text)
    physical = io.StringIO(text, newline="").readlines()
    reader = csv.reader(physical, delimiter=delimiter)
    try:
        headers = next(reader)
    except StopIteration:
        raise UserError(f"{path} is empty") from None
    except csv.Error as error:
        raise UserError(f"{path}: line 1: {error}") from None
    header_lines = reader.line_num
    if header_lines > 1 and not _well_formed(physical[:header_lines], delimiter):
        raise UserError(f"{path}: line 1: a quote in the header is never closed")
    headers = [h.strip() for h in headers]
    if not any(headers):
        raise UserError(f"{path}: the first line has no column names")
    records: list[list[str]] | None = None
    with contextlib.suppress(csv.Error):  # past the csv module's field limit: see below
        records = list(reader)
    single_lines = records is not None and reader.line_num == header_lines + len(records)
    if single_lines and '"' in physical[-1] and not _well_formed(physical[-1:], delimiter):
        single_lines = False  # the last line opens a quote the end of the file never closes
    if single_lines:
        # Every record is one physical line: its line number follows from its position.
        kept = [index for index, cells in enumerate(records) if _has_text(cells)]
        rows = records if len(kept) == len(records) else [records[i] for i in kept]
        lines = [header_lines + 1 + index for index in kept]
        unreadable: dict[int, str] = {}
    else:  # quoted fields span lines, or a quote is never closed: record by record
        rows, lines, unreadable = _rows_with_lines(physical, header_lines, delimiter, headers)
    return Table(headers, rows, lines, encoding, delimiter, unreadable, fallback)


def _has_text(cells: list[str]) -> bool:
    return bool("".join(cells).strip())  # as any(cell.strip()), without a generator a row


class _Lines:
    """The file's physical lines for a csv reader, with the position it has read up to
    (so that reading can start again on any line)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.next = 0  # index of the next line to hand out

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        if self.next >= len(self.lines):
            raise StopIteration
        self.next += 1
        return self.lines[self.next - 1]


def _well_formed(lines: list[str], delimiter: str) -> bool:
    """Whether a record spanning `lines` parses strictly: every quote opened is closed,
    and a closing quote is followed by a delimiter or the end of the line."""
    try:
        list(csv.reader(lines, delimiter=delimiter, strict=True))
    except csv.Error:
        return False
    return True


def _rows_of_their_own(lines: list[str], delimiter: str, width: int) -> bool:
    """Whether the lines of a record that spans them read as rows of their own when their
    quotes are taken as plain characters: the first and the last a row of the header's
    width, those between at least two fields (a ragged row is a row too). Then a stray
    quote opened on the first line and a literal quote ending a field on the last paired
    up and joined rows into one; a quoted note's line breaks leave lines that are not."""
    if width < 2:
        return False  # every line is a one-field row: no telling
    reader = csv.reader(lines, delimiter=delimiter, quoting=csv.QUOTE_NONE)
    widths = [len(cells) for cells in reader if _has_text(cells)]
    return (
        len(widths) > 1
        and widths[0] == widths[-1] == width
        and all(count > 1 for count in widths[1:-1])
    )


def _rows_with_lines(
    physical: list[str], start: int, delimiter: str, headers: list[str]
) -> tuple[list[list[str]], list[int], dict[int, str]]:
    """Records from line index `start` on, each with the line it starts on; a record that
    spans lines but is not well formed (a stray quote), has more fields than the header,
    joins lines that are rows of their own, or breaks the csv module's limits is set
    aside as its first line alone, and reading starts again on the line after it."""
    source = _Lines(physical)
    source.next = start
    reader = csv.reader(source, delimiter=delimiter)
    rows: list[list[str]] = []
    lines: list[int] = []
    unreadable: dict[int, str] = {}
    while source.next < len(physical):
        first = source.next
        try:
            cells = next(reader)
            error = None
        except StopIteration:
            break
        except csv.Error as exc:
            cells, error = [], str(exc)
        # Spanning lines, or reaching the end: where an unclosed quote shows.
        spans = source.next - first > 1 or source.next == len(physical)
        if (
            error is None
            and spans
            and (
                len(cells) > len(headers)
                or not _well_formed(physical[first : source.next], delimiter)
                or _rows_of_their_own(physical[first : source.next], delimiter, len(headers))
            )
        ):
            error = UNCLOSED_QUOTE
        if error is not None:
            rows.append(physical[first].rstrip("\r\n").split(delimiter))
            lines.append(first + 1)
            if error is not UNCLOSED_QUOTE:
                error = f"unreadable by the csv reader: {error}"
            elif first + 1 < len(physical):
                error = UNCLOSED_QUOTE.format(next=first + 2)
            else:
                error = UNCLOSED_AT_END
            unreadable[first + 1] = error
            source.next = first + 1
            reader = csv.reader(source, delimiter=delimiter)  # no state from the broken record
            continue
        if _has_text(cells):
            rows.append(cells)
            lines.append(first + 1)
    return rows, lines, unreadable


def _first_record(text: str) -> str:
    """The header record (up to the first newline outside quotes)."""
    quoted = False
    for index, char in enumerate(text[:65536]):
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            return text[:index]
    return text[:65536]


def _count_unquoted(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count
