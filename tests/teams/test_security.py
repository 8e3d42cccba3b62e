"""Security checks: no shell for the dialler, private database files, formula-safe exports."""

import csv
import io
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callq.phones import PhoneError
from callq.services.dial import dial_argv
from callq.services.exporting import lead_rows, write_csv
from callq.services.leads import NewLead, add_lead
from callq.store.db import open_database

COMMAND = ("termux-telephony-call", "--to={phone}", "{phone}")


@pytest.mark.parametrize(
    "hostile",
    [
        "+91 98765 43210; rm -rf ~",
        "$(reboot)",
        "`id`",
        "98765 43210 && curl evil",
        "--help",
        "-o /etc/passwd",
        "+919876543210\n--exec=sh",
        "{phone}",
    ],
)
def test_a_hostile_phone_never_reaches_the_dial_command(hostile: str) -> None:
    try:
        argv = dial_argv(COMMAND, hostile, "IN")
    except PhoneError:
        return
    # If libphonenumber extracted a real number, only that number goes in, as one argument.
    assert argv[0] == "termux-telephony-call"
    assert argv[1].startswith("--to=+") and argv[1][5:].isdigit()
    assert argv[2].startswith("+") and argv[2][1:].isdigit()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_dial_arguments_are_the_template_with_an_e164_number_or_refused(phone: str) -> None:
    try:
        argv = dial_argv(COMMAND, phone, "IN")
    except PhoneError:
        return
    number = argv[2]
    assert number.startswith("+") and number[1:].isdigit()
    assert argv == [a.replace("{phone}", number) for a in COMMAND]


def test_the_database_and_its_journal_files_are_private(tmp_path: Path, rules, now) -> None:  # noqa: ANN001
    path = tmp_path / "team" / "callq.db"
    db = open_database(path)
    add_lead(db, rules, NewLead(name="Ravi", phone="+919876500001"), now=now, rep="asha")
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        assert file.exists()
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    db.dispose()


def test_exported_cells_cannot_run_as_spreadsheet_formulas(db, rules, now) -> None:  # noqa: ANN001
    add_lead(
        db,
        rules,
        NewLead(
            name='=HYPERLINK("http://evil")',
            phone="+919876500002",
            company="@SUM(1+1)",
            interest="-2+3",
            email="\tcmd",
        ),
        now=now,
        rep="asha",
    )
    out = io.StringIO()
    write_csv(lead_rows(db), ("name", "company", "interest", "email"), out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    for column in ("name", "company", "interest", "email"):
        assert row[column][0] == "'", (column, row[column])
