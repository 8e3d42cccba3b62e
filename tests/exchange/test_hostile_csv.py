"""Broken and hostile CSV files: nothing is lost or garbled silently, on both backends.

A stray quote, a line in another encoding, a NUL byte: every row still ends up imported,
merged or in the rejects file with its reason, and the summary says what happened. The
rejects file holds names and phones: 0600, formula-safe, and it imports back as it was.
"""

import csv
import json
import os
import stat

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import dump_database

from callq.store.db import open_database
from callq.visible import UNSAFE


@pytest.fixture
def db(db_target):  # noqa: ANN001, ANN201  (the root fixture: both backends, unlike this folder's)
    database = open_database(db_target)
    yield database
    database.dispose()


@pytest.fixture
def dump(db):  # noqa: ANN001, ANN201
    return lambda: dump_database(db)


def summary(result) -> dict:  # noqa: ANN001
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def leads(cli) -> list[dict]:  # noqa: ANN001
    return summary(cli("export", "--format", "json", "--leads"))


def rejects(path) -> list[list[str]]:  # noqa: ANN001
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def numbered(count: int, start: int = 0) -> list[str]:
    return [f"Lead {i},+9198{i + start:08d},web" for i in range(count)]


# --- a stray quote ---------------------------------------------------------------------


def test_unclosed_quote_sets_its_line_aside_and_the_rest_imports(cli, tmp_path):
    """300 rows, a quote opened on line 3 and never closed: it used to swallow 298 rows
    into one reject cell (`imported 1, rejected 1`, exit 0)."""
    rows = numbered(299)
    rows.insert(1, '"Ravi Kumar,+919811122233,web')  # file line 3
    path = tmp_path / "leads.csv"
    path.write_text("name,phone,source\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "imported 299 · merged 0 · rejected 1" in result.stdout
    assert "line 3" in result.stderr and "quote" in result.stderr
    assert "reading went on at line 4" in result.stderr
    listed = rejects(tmp_path / "leads.rejects.csv")
    assert listed[1][:2] == ['"Ravi Kumar', "'+919811122233"]  # the raw line, to fix
    assert listed[1][-1].startswith("line 3: a quote") and len(listed) == 2
    assert len(leads(cli)) == 299


def test_stray_quote_closed_by_a_later_field_swallows_nothing(cli, tmp_path):
    """The stray quote pairs with the opening quote of a good field 200 lines on."""
    rows = numbered(250)
    rows.insert(1, '"Ravi Kumar,+919811122233,web')
    rows[200] = 'Acme Lead,+919899999999,"Web, form"'
    path = tmp_path / "leads.csv"
    path.write_text("name,phone,source\n" + "\n".join(rows) + "\n", encoding="utf-8")
    done = summary(cli("import", str(path), "--format", "json"))
    assert (done["imported"], done["rejected"], done["rows"]) == (250, 1, 251)
    assert done["unreadable_lines"] == [3]
    acme = next(lead for lead in leads(cli) if lead["phone"] == "+919899999999")
    assert acme["name"] == "Acme Lead" and acme["source"] == "web"


@pytest.mark.parametrize(
    ("stray", "closing"),
    [
        (0, 2),  # "Lead 2,...,web  ...  Lead 6,...,web"  -> one field: a reject hiding 5 rows
        (0, 0),  # "Lead 2,...      ...  Lead 6",...    -> a lead named by five lines
        (2, 2),  # Lead 2,...,"web  ...  Lead 6,...,web"
    ],
)
def test_stray_quote_paired_with_a_literal_quote_lines_later(cli, tmp_path, stray, closing):
    """A quote opening a field on line 4 and one ending a field on line 8 used to join
    lines 4-8 into one row: rows hidden in a reject cell, or imported as one lead with
    five lines for a name. The line with the stray quote is set aside with its reason;
    every other line is a row of its own."""
    rows = [line.split(",") for line in numbered(10)]
    rows[2][stray] = '"' + rows[2][stray]
    rows[6][closing] += '"'
    path = tmp_path / "leads.csv"
    path.write_text(
        "name,phone,source\n" + "\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8"
    )
    done = summary(cli("import", str(path), "--format", "json"))
    assert done["rows"] == 10 and done["unreadable_lines"] == [4]
    assert done["imported"] + done["rejected"] == 10
    listed = rejects(tmp_path / "leads.rejects.csv")
    assert [row[-1].split(":")[0] for row in listed[1:]][:1] == ["line 4"]
    imported = {lead["phone"]: lead["name"] for lead in leads(cli)}
    for n in (3, 4, 5):  # the rows between the two quotes
        assert imported[f"+9198{n:08d}"] == f"Lead {n}"
    assert all("\n" not in name and "," not in name for name in imported.values())


@st.composite
def stray_quote_file(draw) -> tuple[str, list[str], int]:  # noqa: ANN001
    """Rows of the header's width (some ragged, some with a quoted two-line note) with a
    quote opening a field on one line and a quote ending a field on a later line.
    -> the file's text, each row's phone, the line the stray quote is on."""
    width = draw(st.sampled_from([2, 4]))
    header = ["name", "phone", "source", "notes"][:width]
    count = draw(st.integers(3, 14))
    first = draw(st.integers(0, count - 2))
    last = draw(st.integers(first + 1, count - 1))
    base = draw(st.integers(0, 10**6)) * 20
    phones = [f"+9197{base + n:08d}" for n in range(count)]
    lines = []
    for n, phone in enumerate(phones):
        cells = [f"Lead {n}", phone, "web", "called"][:width]
        if n == first:
            index = draw(st.integers(0, width - 1))
            cells[index] = '"' + cells[index]
        elif n == last:
            cells[draw(st.integers(0, width - 1))] += '"'
        elif width > 2 and draw(st.integers(0, 4)) == 0:  # ragged: a field more or less
            cells = cells + ["extra"] if draw(st.booleans()) else cells[:-1]
        elif width > 2 and not first < n < last and draw(st.integers(0, 3)) == 0:
            cells[-1] = '"called,\nno answer"'  # a note with a line break, quoted properly
        lines.append(",".join(cells))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    stray_line = 2 + sum(1 + line.count("\n") for line in lines[:first])  # header: line 1
    text = newline.join([",".join(header), *lines]) + newline
    return text, phones, stray_line


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=stray_quote_file())
def test_a_stray_quote_never_joins_rows(db, rules, now, tmp_path, case):
    """Every row of the file is imported or in the rejects file with a reason, the counts
    add up to the rows read, and no lead's name holds another row's line."""
    from callq.importing.importer import import_file
    from callq.services.exporting import lead_rows

    text, phones, stray_line = case
    path = tmp_path / "stray.csv"
    path.write_text(text, encoding="utf-8", newline="")
    result = import_file(db, rules, path, now=now, rep="asha")
    assert result.rows == len(phones), text
    accounted = result.imported + result.merged + result.already_imported + result.rejected
    assert accounted == len(phones)
    assert result.unreadable.get(stray_line, "").startswith('a quote (")'), text
    rejected: dict[str, str] = {}
    if result.rejected:
        listed = rejects(result.rejects_file)[1:]
        assert len(listed) == result.rejected
        rejected = {row[1].lstrip("'").replace('"', ""): row[-1] for row in listed}
        assert all(reason.startswith("line ") for reason in rejected.values())
    names = {row["phone"]: row["name"] for row in lead_rows(db)}
    for phone in phones:
        assert phone in names or phone in rejected, (phone, text)
    assert not any("\n" in name or "+9197" in name for name in names.values()), text


def test_multiline_notes_still_import(cli, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text(
        'name,phone,notes\nMeera,+919900011223,"Called twice.\nPrefers ""mornings""."\n'
        "Tanvi,+919900011224,\n",
        encoding="utf-8",
    )
    done = summary(cli("import", str(path), "--format", "json"))
    assert (done["imported"], done["rejected"], done["unreadable_lines"]) == (2, 0, [])


def test_unclosed_quote_in_the_header_is_refused(cli, dump, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text('name,"phone\n' + "\n".join(numbered(5)) + "\n", encoding="utf-8")
    before = dump()
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert "line 1" in result.stderr and "quote" in result.stderr
    assert dump() == before


# --- encodings and NUL bytes -----------------------------------------------------------


def test_one_latin1_line_keeps_the_other_lines_utf8(cli, tmp_path):
    """One Windows-1252 line used to turn every other line's UTF-8 into mojibake."""
    text = "name,phone\nअनन्या शर्मा,+919876500001\nJosé Núñez,+919876500002\n"
    path = tmp_path / "mixed.csv"
    path.write_bytes(text.encode() + "Renée Dubois,+919876500003\n".encode("cp1252"))
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "line 4" in result.stderr and "Windows-1252" in result.stderr
    names = {lead["name"] for lead in leads(cli)}
    assert names == {"अनन्या शर्मा", "José Núñez", "Renée Dubois"}
    again = summary(cli("import", str(path), "--format", "json"))
    assert again["fallback_lines"] == [4] and again["already_imported"] == 3


def test_a_file_in_windows_1252_throughout_is_not_reported_line_by_line(cli, tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes("name,phone\nRenée,+919876500003\nFrançois,+919876500004\n".encode("cp1252"))
    done = summary(cli("import", str(path), "--format", "json"))
    assert done["imported"] == 2 and done["fallback_lines"] == []
    assert {lead["name"] for lead in leads(cli)} == {"Renée", "François"}


def test_a_row_with_a_nul_byte_is_rejected_with_its_reason(cli, dump, tmp_path):
    """No database stores a NUL as text (PostgreSQL refuses it, SQLite's C functions end
    the text there): the row goes to the rejects file with the cell named, the NUL shown
    as a placeholder there, and the other rows import, on both backends alike. A NUL in a
    column that is not imported harms nothing."""
    path = tmp_path / "nul.csv"
    path.write_bytes(
        b"name,phone,notes,ignored\nGood,+919876500001,,\nBad\x00Name,+919876500002,,\n"
        b"Noted,+919876500003,a\x00b,\nAlso,+919876500005,,x\x00y\n"
    )
    done = summary(cli("import", str(path), "--format", "json"))
    assert (done["imported"], done["rejected"], done["rows"]) == (2, 2, 4)
    assert done["unreadable_lines"] == []
    listed = rejects(tmp_path / "nul.rejects.csv")
    assert [row[0] for row in listed[1:]] == ["Bad␀Name", "Noted"]
    assert listed[1][-1] == (
        "line 3: the name contains a NUL character (\\x00), which cannot be stored as text"
    )
    assert listed[2][-1].startswith("line 4: the note contains a NUL character")
    assert {lead["name"] for lead in leads(cli)} == {"Good", "Also"}


# --- the rejects file ------------------------------------------------------------------


def test_rejects_file_is_private_formula_safe_and_imports_back(cli, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text(
        'name,phone,company\n=HYPERLINK("http://x"),12,@SUM(A1)\n-Dash,+91 98765 4321,Co\n',
        encoding="utf-8",
    )
    stale = tmp_path / "leads.rejects.csv"
    stale.write_text("old\n")
    os.chmod(stale, 0o644)
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(stale.stat().st_mode) == 0o600
    listed = rejects(stale)
    assert listed[1][0] == '\'=HYPERLINK("http://x")' and listed[1][2] == "'@SUM(A1)"
    assert listed[2][:2] == ["'-Dash", "'+91 98765 4321"]
    # Fixed in a spreadsheet and imported again: the cells read back as they were.
    fixed = tmp_path / "fixed.csv"
    with fixed.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(listed[0][:-1])
        writer.writerow([listed[1][0], "9876543210", listed[1][2]])
        writer.writerow([listed[2][0], "'+91 98765 43219", listed[2][2]])
    done = summary(cli("import", str(fixed), "--format", "json"))
    assert (done["imported"], done["rejected"]) == (2, 0)
    by_phone = {lead["phone"]: lead for lead in leads(cli)}
    assert by_phone["+919876543210"]["name"] == '=HYPERLINK("http://x")'
    assert by_phone["+919876543210"]["company"] == "@SUM(A1)"
    assert by_phone["+919876543219"]["name"] == "-Dash"


def test_rejects_file_shows_control_characters_as_exports_do(cli, tmp_path):
    """A rejected row's escapes, C1 and bidi controls are written as the placeholders the
    terminal shows (`callq.visible`), never raw: the file is opened in pagers and
    spreadsheets. A note's line break stays a line break in its cell."""
    path = tmp_path / "leads.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "phone", "notes"])
        writer.writerow(["\x1b]2;PWNED\x07Eve", "no phone", "rang\x9b\u202e\nlater"])
        writer.writerow(["=cmd\x1b[2J", "", ""])
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    target = tmp_path / "leads.rejects.csv"
    raw = target.read_text(encoding="utf-8")
    assert not UNSAFE.search(raw.replace("\r\n", "").replace("\n", ""))
    listed = rejects(target)
    assert listed[1][0] == "␛]2;PWNED␇Eve"
    assert listed[1][2] == "rang\\x9b<U+202E>\nlater"
    assert listed[2][0] == "'=cmd␛[2J"  # formula-safe too
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_symlink_where_the_rejects_go_is_refused_before_importing(cli, dump, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("name,phone\nA,12\nB,+919876500001\n", encoding="utf-8")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (tmp_path / "leads.rejects.csv").symlink_to(victim)
    before = dump()
    result = cli("import", str(path))
    assert result.exit_code == 2 and "leads.rejects.csv" in result.stderr
    assert dump() == before and victim.read_text() == "keep me\n"


# --- one number, one lead --------------------------------------------------------------


def test_a_number_of_an_existing_lead_merges_into_it(cli, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("Name,Phone,Mobile\nTwoPhones,+919876511111,+919876522222\n")
    assert summary(cli("import", str(first), "--format", "json"))["imported"] == 1
    second = tmp_path / "second.csv"
    second.write_text("Name,Phone\nOther,+919876522222\n")
    done = summary(cli("import", str(second), "--format", "json"))
    assert (done["imported"], done["merged"]) == (0, 1)
    [lead] = leads(cli)
    assert (lead["name"], lead["phone"], lead["other_phones"]) == (
        "TwoPhones",
        "+919876511111",
        "+919876522222",
    )


def test_a_row_brings_its_new_numbers_to_the_lead_it_merges_into(cli, tmp_path):
    """Phone new, Mobile known: the lead gains the new number, so a later row having only
    that number merges too (within one file and across imports)."""
    first = tmp_path / "first.csv"
    first.write_text("Name,Phone\nKnown,+919876533333\n")
    cli("import", str(first))
    second = tmp_path / "second.csv"
    second.write_text(
        "Name,Phone,Mobile\nBoth,+919876544444,+919876533333\nNewOnly,+919876544444,\n"
        "Fresh,+919876555555,+919876566666\nFreshMobile,+919876566666,+919876577777\n"
        "FreshLast,+919876577777,\nReverse,+919876588888,+919876555555\n"
    )
    done = summary(cli("import", str(second), "--format", "json"))
    assert (done["imported"], done["merged"]) == (1, 5)
    by_phone = {lead["phone"]: lead for lead in leads(cli)}
    assert set(by_phone) == {"+919876533333", "+919876555555"}
    assert by_phone["+919876533333"]["other_phones"] == "+919876544444"
    assert by_phone["+919876555555"]["other_phones"] == (
        "+919876566666,+919876577777,+919876588888"
    )
    third = tmp_path / "third.csv"
    third.write_text("Name,Phone\nLater,+919876577777\nLater2,+919876544444\n")
    done = summary(cli("import", str(third), "--format", "json"))
    assert (done["imported"], done["merged"]) == (0, 2)
    assert cli("doctor").exit_code == 0
