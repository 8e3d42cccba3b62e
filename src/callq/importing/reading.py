"""Read a CSV export whatever produced it: encoding, delimiter, quoting, line endings."""

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from callq.errors import UserError

DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class Table:
    """A decoded CSV file: its header, its data rows (with their first line numbers)."""

    headers: list[str]
    rows: list[list[str]]
    lines: list[int]  # the file line each row starts on (1-based; the header is line 1)
    encoding: str
    delimiter: str


def decode(raw: bytes) -> tuple[str, str]:
    """The text and the encoding: a BOM wins, then strict UTF-8, then Windows-1252/Latin-1."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Windows writes cp1252: like Latin-1 but with curly quotes, euro, dashes.
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the candidate that occurs most outside quotes."""
    header = _first_record(text)
    counts = {d: _count_unquoted(header, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_table(path: Path) -> Table:
    """Parse `path`; UserError when it cannot be read or has no header."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"no such file: {path}") from None
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror}") from None
    if b"\x00" in raw[:4096] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UserError(f"{path} is not a text CSV file (it contains NUL bytes)")
    text, encoding = decode(raw)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader)
    except StopIteration:
        raise UserError(f"{path} is empty") from None
    except csv.Error as error:
        raise UserError(f"{path}: line 1: {error}") from None
    headers = [h.strip() for h in headers]
    if not any(headers):
        raise UserError(f"{path}: the first line has no column names")
    first_line = reader.line_num + 1
    try:
        records = list(reader)
    except csv.Error as error:
        raise UserError(f"{path}: line {reader.line_num}: {error}") from None
    if reader.line_num == first_line - 1 + len(records):
        # Every record is one physical line: its line number follows from its position.
        kept = [index for index, cells in enumerate(records) if _has_text(cells)]
        rows = records if len(kept) == len(records) else [records[i] for i in kept]
        lines = [first_line + index for index in kept]
    else:  # quoted fields span lines: parse again, noting where each record starts
        rows, lines = _rows_with_lines(text, delimiter)
    return Table(headers, rows, lines, encoding, delimiter)


def _has_text(cells: list[str]) -> bool:
    return bool("".join(cells).strip())  # as any(cell.strip()), without a generator a row


def _rows_with_lines(text: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader)  # the header
    rows: list[list[str]] = []
    lines: list[int] = []
    start = reader.line_num + 1
    for cells in reader:
        if _has_text(cells):
            rows.append(cells)
            lines.append(start)
        start = reader.line_num + 1
    return rows, lines


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
