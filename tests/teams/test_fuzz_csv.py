"""Fuzz: any CSV file, however broken, imports or is refused with a clear message."""

import csv
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callq.errors import UserError
from callq.importing.importer import import_file
from callq.services.doctor import check

HEADERS = [
    "First Name",
    "Last Name",
    "Phone Number",
    "Mobile",
    "Company",
    "Email",
    "Lead Source",
    "Contact owner",
    "Notes",
    "name",
    "phone",
    "Time Zone",
    "x",
]
CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "+91 98765 43210",
            "9876543210",
            "=SUM(1)",
            "",
            "web",
            "asha",
            "Asia/Kolkata",
            "not a tz",
            '"quoted, comma"',
            "line\nbreak",
        ]
    ),
)


@st.composite
def csv_text(draw) -> str:  # noqa: ANN001
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6))
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=8), max_size=6))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines)


@pytest.mark.sqlite_only
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=csv_text(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))
def test_any_csv_imports_or_is_refused_clearly(db, rules, now, tmp_path, text, encoding) -> None:  # noqa: ANN001
    path = tmp_path / "fuzz.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    try:
        result = import_file(db, rules, path, now=now, rep="asha")
    except UserError as error:
        assert str(error)
    else:
        assert result.imported + result.merged + result.already_imported + result.rejected >= 0
    assert check(db).ok


@settings(max_examples=40, deadline=None)
@given(blob=st.binary(max_size=300))
def test_any_bytes_as_a_csv_never_crash(blob: bytes, tmp_path_factory) -> None:  # noqa: ANN001
    from callq.config.loading import load_default_rules
    from callq.store.db import open_database

    folder = tmp_path_factory.mktemp("blob")
    path = folder / "blob.csv"
    path.write_bytes(blob)
    db = open_database(folder / "callq.db")
    try:
        import_file(db, load_default_rules(), path, now=datetime.now(UTC), rep="asha")
    except UserError as error:
        assert str(error)
    finally:
        db.dispose()


# --- every row accounted for -------------------------------------------------------------

HOSTILE_CELL = st.one_of(
    st.sampled_from(
        [
            "+91 98765 43210",
            "98765 4321",
            "9811122233",
            "=cmd|' /C calc'!A0",
            '"',
            '"open',
            'clo"sed"',
            '""',
            "a\x00b",
            "\x00",
            "José Núñez",
            "अनन्या",
            "",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8),
)


@st.composite
def hostile_csv(draw) -> tuple[bytes, int, bool]:  # noqa: ANN001
    """Bytes of a CSV file whose lines may carry stray quotes, NUL bytes, ragged widths
    and their own encodings; the number of non-blank data lines; whether any has a quote."""
    header = draw(st.sampled_from(["name,phone,notes", "Name,Mobile,Company,Notes"]))
    lines, count, quoted = [header.encode()], 0, False
    for cells in draw(st.lists(st.lists(HOSTILE_CELL, min_size=1, max_size=6), max_size=12)):
        text = ",".join(c.replace("\n", " ").replace("\r", " ") for c in cells)
        if not text.strip(" \t\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2028\u2029,"):
            continue
        count += 1
        quoted = quoted or '"' in text
        encoding = draw(st.sampled_from(["utf-8", "utf-8", "cp1252"]))
        lines.append(text.encode(encoding, errors="replace"))
    return b"\n".join(lines) + b"\n", count, quoted


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=hostile_csv())
def test_every_row_is_imported_merged_or_rejected_with_a_reason(db, rules, now, tmp_path, case):  # noqa: ANN001
    """Stray quotes, mixed encodings, NUL bytes, ragged rows: the counts add up to the rows
    read, each reject is in the rejects file with a reason, and nothing reaches the
    database that it cannot store (PostgreSQL refuses NUL)."""
    raw, lines, quoted = case
    path = tmp_path / "hostile.csv"
    path.write_bytes(raw)
    result = import_file(db, rules, path, now=now, rep="asha")
    accounted = result.imported + result.merged + result.already_imported + result.rejected
    assert accounted == result.rows
    if not quoted:  # no quote can join lines (or empty a cell): one row per non-blank line
        assert result.rows == lines
    if result.rejected:
        with result.rejects_file.open(encoding="utf-8-sig", newline="") as handle:
            listed = list(csv.reader(handle))[1:]
        assert len(listed) == result.rejected
        assert all(row[-1].startswith("line ") and len(row[-1]) > 8 for row in listed)
    assert check(db).ok
