"""Fuzz: any CSV file, however broken, imports or is refused with a clear message."""

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
