"""read_table: every data row with the line it starts on, whatever the file's shape."""

import csv
import io
import random

import pytest

from callq.importing.reading import read_table


def reference(text: str) -> tuple[list[list[str]], list[int]]:
    """The plain algorithm: note `line_num` before each record, skip blank records."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    rows, lines = [], []
    start = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            rows.append(cells)
            lines.append(start)
        start = reader.line_num + 1
    return rows, lines


def random_file(seed: int, multiline: bool) -> str:
    rng = random.Random(seed)
    out = ['name,phone,"notes\nlong"\r\n' if multiline and seed % 2 else "name,phone,notes\n"]
    for index in range(200):
        roll = rng.random()
        if roll < 0.1:
            out.append("\n")  # a blank line
        elif roll < 0.15:
            out.append(" , ,\t\r\n")  # only whitespace
        elif roll < 0.25 and multiline:
            out.append(f'Row {index},98{index:08d},"two\r\nlines"\n')
        else:
            out.append(f"Row {index},98{index:08d},note {index}\n")
    return "".join(out)


@pytest.mark.parametrize("multiline", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_rows_and_lines_match_the_plain_algorithm(tmp_path, seed, multiline):
    text = random_file(seed, multiline)
    path = tmp_path / "file.csv"
    path.write_bytes(text.encode())
    table = read_table(path)
    assert (table.rows, table.lines) == reference(text)
