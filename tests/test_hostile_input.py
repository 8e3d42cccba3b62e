"""Hostile text through every way in and out: shown, never obeyed, never markup, never lost.

Names, companies, notes, rep names and outcome labels come from web forms, CSV files and
other reps. Each hostile string goes in through `add`, `import`, `note`, a rules file's
outcome labels and rep names, and comes out through the CLI (tables, plain lines, JSON,
CSV, iCalendar, stderr) and the TUI (queue rows, lead screen, outcome panel, search,
toasts, Summary). Nothing crashes, no control character from the data reaches the
terminal (or a file), and the text is still recognisable: the placeholder is visible.
"""

import csv
import html
import io
import json
import os
import sys
import unicodedata
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callq.visible import UNSAFE, safe

# Each: the hostile text, and what of it must still be visible on a terminal.
HOSTILE = {
    "osc_title": ("\x1b]2;PWNED\x07Eve", ("␛]2;PWNED␇Eve",)),
    "csi_clear": ("Eve\x1b[2J\x1b[H", ("Eve␛[2J␛[H",)),
    "osc52_clipboard": ("\x1b]52;c;cm0gLXJm\x07Eve", ("␛]52;c;cm0gLXJm␇Eve",)),
    "c1_csi": ("Eve\x9b31mRed", ("Eve\\x9b31mRed",)),
    "bel_del": ("Eve\x07\x7fx\x08", ("Eve␇␡x␈",)),
    "bidi_override": ("Eve\u202eexe.txt", ("Eve<U+202E>exe.txt",)),
    "bidi_isolate": ("Eve\u2066x\u2069", ("Eve<U+2066>x<U+2069>",)),
    "zero_width": ("E\u200bve\ufeff", ("E<U+200B>ve<U+FEFF>",)),
    "markup_close": ("Eve [/] x", ("Eve [/] x",)),
    "markup_link": ("[link=http://e.x]Eve[/link]", ("[link=http://e.x]Eve",)),
    "markup_style": ("[bold red]Eve[/bold red]", ("[bold red]Eve[/bold red]",)),
}
IDS = list(HOSTILE)
# Characters that must never reach a terminal or a file from data (line breaks and tabs
# are layout: tables and files have their own).
LAYOUT = "\n\r\t"


def raw_controls(text: str) -> list[str]:
    """The unsafe characters in `text` that are not layout: must be []."""
    return sorted({hex(ord(c)) for c in UNSAFE.findall(text) if c not in LAYOUT})


def assert_shown(text: str, key: str) -> None:
    assert raw_controls(text) == [], key
    for visible in HOSTILE[key][1]:
        assert visible in text, (key, visible)


# -- the one conversion ----------------------------------------------------------------


def test_every_control_and_invisible_format_character_is_replaced():
    """Checked against this Python's Unicode database: all of Cc, Cf (but ZWJ/ZWNJ, which
    Indic scripts need), Zl, Zp and surrogates."""
    missed = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in ("Cc", "Cf", "Zl", "Zp", "Cs")
        and code not in (0x200C, 0x200D)
        and not UNSAFE.match(chr(code))
    ]
    assert missed == []


def test_safe_is_visible_and_keeps_ordinary_text():
    assert safe("\x1b]2;PWNED\x07") == "␛]2;PWNED␇"
    assert safe("a\x9bb\x7f") == "a\\x9bb␡"
    assert safe("\u202eabc") == "<U+202E>abc"
    # Devanagari with ZWJ/ZWNJ, accents, emoji sequences: unchanged.
    for text in ("क्\u200dष", "José Müller", "👩\u200d💻", "Zoë [note]"):
        assert safe(text) == text
    assert safe("a\nb", keep="\n") == "a\nb" and safe("a\nb") == "a␊b"
    assert safe(None) == ""


def test_a_megabyte_of_text_is_converted_quickly():
    import time

    text = ("Eve\x1b[2J " * 110_000)[:1_000_000]
    started = time.perf_counter()
    shown = safe(text)
    assert time.perf_counter() - started < 2
    assert "\x1b" not in shown and shown.count("␛") == text.count("\x1b")


# -- the CLI ---------------------------------------------------------------------------


def _out(result) -> str:  # noqa: ANN001
    return result.stdout + result.stderr


@pytest.mark.parametrize("key", IDS)
def test_cli_add_note_show_queue_log(cli, key):
    text = HOSTILE[key][0]
    added = cli(
        "add", "--name", text, "--phone", "9876543210", "--company", text, "--interest", text,
        "--note", text, "--source", "web",
    )  # fmt: skip
    assert added.exit_code == 0, _out(added)
    noted = cli("note", "1", text)
    assert noted.exit_code == 0, _out(noted)
    for args in (("show", "1"), ("queue", "--all"), ("log", "1", "no_answer", "--note", text)):
        result = cli(*args)
        assert result.exit_code == 0, (args, _out(result))
        assert_shown(result.stdout, key)
    shown = cli("show", "1")
    assert shown.stdout.count(HOSTILE[key][1][0]) >= 4  # name, company, notes, the call


@pytest.mark.parametrize("key", IDS)
def test_cli_json_keeps_the_exact_text_as_escapes(cli, key):
    text = HOSTILE[key][0]
    assert cli("add", "--name", text, "--phone", "9876543210", "--note", text).exit_code == 0
    for args in (("show", "1", "--format", "json"), ("queue", "--all", "--format", "json")):
        result = cli(*args)
        assert result.exit_code == 0, _out(result)
        assert raw_controls(result.stdout) == []
        document = json.loads(result.stdout)
        name = document["lead"]["name"] if isinstance(document, dict) else document[0]["name"]
        assert name == text  # data kept exactly as given
    exported = cli("export", "--format", "json")
    assert raw_controls(exported.stdout) == []
    assert json.loads(exported.stdout)[0]["name"] == text


@pytest.mark.parametrize("key", IDS)
def test_cli_csv_and_ics_exports_show_placeholders(cli, key, tmp_path):
    text = HOSTILE[key][0]
    assert cli("add", "--name", text, "--phone", "9876543210", "--company", text).exit_code == 0
    assert cli("log", "1", "callback", "--callback", "in 2 h", "--note", text).exit_code == 0
    for args in (("export",), ("export", "--calls"), ("export", "--timeline")):
        result = cli(*args)
        assert result.exit_code == 0, _out(result)
        assert_shown(result.stdout, key)
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert len(rows) >= 1
    leads = list(csv.DictReader(io.StringIO(cli("export").stdout)))
    assert leads[0]["name"].lstrip("'") == safe(text)
    ics = cli("export", "--format", "ics")
    assert ics.exit_code == 0, _out(ics)
    assert raw_controls(ics.stdout) == []
    unfolded = ics.stdout.replace("\r\n ", "").replace("\n ", "")
    for escaped, plain in (("\\;", ";"), ("\\,", ","), ("\\\\", "\\")):
        unfolded = unfolded.replace(escaped, plain)
    assert f"SUMMARY:Call back: {safe(text)} (" in unfolded


def test_cli_report_rules_show_and_rep_names_from_a_rules_file(cli, tmp_path):
    """Outcome labels and rep names from a rules file, rep names from --rep and CALLQ_REP."""
    evil_rep = "\x1b]2;x\x07Mal[/]lory"
    label = "No [/]answer \x1b[31m\u202e"
    config = tmp_path / "callq.toml"
    config.write_text(
        _default_rules_text()
        .replace('reps = ["asha", "ben", "chen"]', f'reps = ["asha", {json.dumps(evil_rep)}]')
        .replace('label = "No answer"', f"label = {json.dumps(label)}"),
        encoding="utf-8",
    )
    env = {"CALLQ_CONFIG": str(config)}
    shown = cli("rules", "show", env=env)
    assert shown.exit_code == 0, _out(shown)
    assert_visible(shown.stdout, ("No [/]answer ␛[31m<U+202E>", "␛]2;x␇Mal[/]lory"))
    as_mallory = {**env, "CALLQ_REP": evil_rep}
    added = cli("add", "--name", "Eve", "--phone", "9876543210", "--owner", evil_rep, env=env)
    assert added.exit_code == 0, _out(added)
    logged = cli("log", "1", "no_answer", env=as_mallory)
    assert logged.exit_code == 0, _out(logged)
    assert_visible(logged.stdout, ("No [/]answer ␛[31m<U+202E>",))
    for args in (("queue", "--all"), ("show", "1"), ("report",), ("report", "--format", "csv")):
        result = cli(*args, env=as_mallory)
        assert result.exit_code == 0, (args, _out(result))
        assert raw_controls(result.stdout) == [], args
    assert "␛]2;x␇Mal[/]lory" in cli("show", "1", env=env).stdout
    # stderr: a refusal that quotes data
    refused = cli("reassign", "1", "--to", "\x1b[2Jnobody[/]", env=env)
    assert refused.exit_code == 2
    assert raw_controls(refused.stderr) == []


def assert_visible(text: str, parts: tuple[str, ...]) -> None:
    assert raw_controls(text) == []
    for part in parts:
        assert part in text, part


def _default_rules_text() -> str:
    from importlib.resources import files

    return files("callq.config").joinpath("default_config.toml").read_text(encoding="utf-8")


def test_cli_import_of_hostile_cells(cli, tmp_path):
    file = tmp_path / "leads.csv"
    names = [HOSTILE[key][0] for key in IDS]
    with file.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Name", "Phone", "Company", "Notes"])
        for n, name in enumerate(names):
            writer.writerow([name, f"98765432{n:02d}", name, name])
    result = cli("import", str(file))
    assert result.exit_code == 0, _out(result)
    assert f"imported {len(names)}" in result.stdout
    queue = cli("queue", "--all", "--limit", "0")
    assert queue.exit_code == 0, _out(queue)
    for key in IDS:
        assert_shown(queue.stdout, key)
    exported = cli("export", "--format", "json")
    assert sorted(row["name"] for row in json.loads(exported.stdout)) == sorted(names)


def test_cli_a_megabyte_note(cli):
    big = ("Eve\x1b[2J[/] " * 100_000)[:1_000_000]
    assert cli("add", "--name", "Eve", "--phone", "9876543210", "--note", big).exit_code == 0
    for args in (("show", "1"), ("export", "--timeline"), ("queue", "--all")):
        result = cli(*args)
        assert result.exit_code == 0, (args, _out(result)[:300])
        assert raw_controls(result.stdout) == []
    assert "Eve␛[2J[/]" in cli("show", "1").stdout


# -- text no database can store: NUL, and bytes that are not UTF-8 ---------------------

UNSTORABLE = {"nul": ("Eve\x00x", "NUL"), "not_utf8": ("Eve\udc9b", "not UTF-8")}


@pytest.mark.parametrize("kind", list(UNSTORABLE))
def test_services_refuse_text_no_database_can_store(db, rules, now, dump, tmp_path, kind):
    """One check (rules.text) behind every service that stores untrusted text, so the CLI,
    the TUI and intake refuse it alike, on SQLite as on PostgreSQL (whose text type
    cannot hold a NUL): a UserError naming the field, nothing changed."""
    from callq.errors import UserError
    from callq.importing.importer import import_file
    from callq.services.leads import NewLead, add_lead, add_note, reschedule
    from callq.services.outcomes import log_outcome
    from callq.services.reassign import handoff, reassign_lead

    bad, word = UNSTORABLE[kind]
    add_lead(db, rules, NewLead(name="Asha's lead", phone="9876543210"), now=now, rep="asha")
    csv_file = tmp_path / "leads.csv"
    csv_file.write_text("name,phone\nFine,9876543219\n", encoding="utf-8")
    later = now + timedelta(hours=2)

    def new(**fields) -> NewLead:  # noqa: ANN003
        return NewLead(**{"name": "Eve", "phone": "9876543211", **fields})

    attempts = [  # (what the message names, the attempt)
        *(
            (
                f"the {field}",
                lambda f=field: add_lead(db, rules, new(**{f: bad}), now=now, rep="asha"),
            )
            for field in ("name", "company", "email", "interest", "note", "owner")
        ),
        ("the rep name", lambda: add_lead(db, rules, new(), now=now, rep=bad)),
        ("the note", lambda: add_note(db, rules, "1", bad, now=now, rep="asha")),
        ("the rep name", lambda: add_note(db, rules, "1", "hi", now=now, rep=bad)),
        ("the note", lambda: log_outcome(db, rules, "1", "busy", rep="asha", now=now, note=bad)),
        ("the rep name", lambda: log_outcome(db, rules, "1", "busy", rep=bad, now=now)),
        ("the note", lambda: reschedule(db, rules, "1", later, now=now, rep="asha", note=bad)),
        ("the rep name", lambda: reassign_lead(db, rules, "1", bad, now=now, actor="asha")),
        ("the rep name", lambda: handoff(db, rules, bad, "ben", now=now, actor="asha")),
        ("--owner", lambda: import_file(db, rules, csv_file, now=now, rep="asha", owner=bad)),
        ("the rep name", lambda: import_file(db, rules, csv_file, now=now, rep=bad)),
    ]
    before = dump()
    for what, attempt in attempts:
        with pytest.raises(UserError) as refused:
            attempt()
        message = str(refused.value)
        assert message.startswith(what) and word in message, (what, message)
        assert dump() == before, what
    assert not (tmp_path / "leads.rejects.csv").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("add", "--name", "{bad}", "--phone", "9876543211"),
        ("add", "--name", "Eve", "--phone", "9876543211", "--note", "{bad}"),
        ("add", "--name", "Eve", "--phone", "9876543211", "--owner", "{bad}"),
        ("note", "1", "{bad}"),
        ("log", "1", "busy", "--note", "{bad}"),
        ("--rep", "{bad}", "log", "1", "busy"),
        ("--rep", "{bad}", "queue"),
    ],
)
@pytest.mark.parametrize("kind", list(UNSTORABLE))
def test_cli_refuses_text_no_database_can_store(cli, dump, kind, args):
    """Both backends alike (it used to be stored on SQLite and a traceback, or a special
    case in the CLI, on PostgreSQL): exit 2, one line, nothing changed."""
    bad, word = UNSTORABLE[kind]
    assert cli("add", "--name", "Asha's lead", "--phone", "9876543210").exit_code == 0
    before = dump()
    result = cli(*(arg.replace("{bad}", bad) for arg in args))
    assert result.exit_code == 2, _out(result)
    assert word in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert raw_controls(result.stderr) == [] and "Traceback" not in _out(result)
    assert dump() == before


def test_a_rules_file_naming_a_rep_with_a_nul_is_refused(cli, dump, tmp_path):
    """A TOML string may hold \\u0000: the rep it names is refused before anything runs."""
    config = tmp_path / "callq.toml"
    config.write_text(
        _default_rules_text().replace("[team]", '[team]\nme = "as\\u0000ha"', 1),
        encoding="utf-8",
    )
    before = dump()
    for args in (("queue",), ("log", "1", "busy"), ("add", "--name", "E", "--phone", "98765")):
        result = cli(*args, env={"CALLQ_CONFIG": str(config), "CALLQ_REP": ""})
        assert result.exit_code == 2, _out(result)
        assert result.stderr.startswith("callq: the rep name contains a NUL"), result.stderr
    assert dump() == before


# -- export -o -------------------------------------------------------------------------


def test_export_output_is_new_private_and_never_follows_a_symlink(cli, tmp_path):
    assert cli("add", "--name", "Eve", "--phone", "9876543210").exit_code == 0
    out = tmp_path / "leads.csv"
    assert cli("export", "-o", str(out)).exit_code == 0
    assert out.stat().st_mode & 0o777 == 0o600
    # An existing file is kept unless --force.
    out.write_text("keep me")
    refused = cli("export", "-o", str(out))
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert out.read_text() == "keep me"
    out.chmod(0o644)
    assert cli("export", "-o", str(out), "--force").exit_code == 0
    assert "Eve" in out.read_text() and out.stat().st_mode & 0o777 == 0o600
    # A symlink is never followed, with or without --force.
    target = tmp_path / "target.txt"
    target.write_text("precious")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    for extra in ((), ("--force",)):
        for fmt in ("csv", "ics", "json"):
            result = cli("export", "--format", fmt, "-o", str(link), *extra)
            assert result.exit_code == 2, _out(result)
            assert target.read_text() == "precious"
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "nowhere.csv")
    assert cli("export", "-o", str(dangling), "--force").exit_code == 2
    assert not (tmp_path / "nowhere.csv").exists()
    assert os.path.islink(dangling)


# -- the TUI ---------------------------------------------------------------------------


def screen_text(app) -> str:  # noqa: ANN001
    """What the terminal shows, as text (the screenshot's SVG, markup removed)."""
    import re

    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def _hostile_day(db_target):  # noqa: ANN001, ANN202
    from tests.tui.data import NOW, REP, make_settings

    from callq.services.leads import NewLead, add_lead
    from callq.services.outcomes import log_outcome
    from callq.store.db import open_database

    settings = make_settings(db_target)
    db = open_database(db_target)
    for n, key in enumerate(IDS):
        text = HOSTILE[key][0]
        new = NewLead(
            name=text, phone=f"98765 432{n:02d}", owner=REP, company=text, interest=text, note=text
        )
        add_lead(db, settings.rules, new, now=NOW - timedelta(minutes=30 + n), rep=REP)
    log_outcome(db, settings.rules, "#1", "no_answer", rep=REP, now=NOW, note="\x1b[2J[/]")
    return settings, db


@pytest.fixture
def hostile_app(db_target):  # noqa: ANN001, ANN201
    from callq.app import make_app

    settings, db = _hostile_day(db_target)
    yield make_app(settings, db=db, live=False)
    db.dispose()


SIZE = (160, 50)


async def test_tui_queue_lead_panel_search_and_toasts(hostile_app):
    from callq.screens.lead import LeadScreen
    from callq.screens.search import SearchScreen

    app = hostile_app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        queue = screen_text(app)
        assert raw_controls(queue) == []
        for key in IDS:  # each name's first cells are visible in its row
            assert HOSTILE[key][1][0][:12] in queue, key
        # the outcome panel over the rows
        await pilot.press("1")
        await pilot.pause()
        assert raw_controls(screen_text(app)) == []
        await pilot.press("escape")
        await pilot.pause()
        # a lead screen for each kind of text
        for _row in range(len(IDS)):
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, LeadScreen)
            lead = screen_text(app)
            assert raw_controls(lead) == []
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("down")
        assert app.return_code is None  # no crash (it used to exit, status 0)
        # search
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"Eve")
        await pilot.pause()
        found = screen_text(app)
        assert raw_controls(found) == []
        assert "[link=http://e.x]Eve" in found and "␛]2;PWNED␇Eve" in found
        await pilot.press("escape")
        await pilot.pause()
        # a toast quoting a name
        app.notify("Saved [/] \x1b[2J", title="\x1b]2;x\x07Eve[/]")
        await pilot.pause()
        toast = screen_text(app)
        assert raw_controls(toast) == [] and "␛]2;x␇Eve[/]" in toast
    assert app.return_code in (None, 0)


async def test_tui_lead_screen_shows_the_text(hostile_app):
    from callq.screens.lead import LeadScreen

    app = hostile_app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(LeadScreen(1))
        await pilot.pause()
        text = screen_text(app)
        assert raw_controls(text) == []
        assert "␛]2;PWNED␇Eve" in text  # the name and company
        assert "␛[2J[/]" in text  # the call's note in the timeline


async def test_tui_summary_with_hostile_rep_and_lead_names(db_target):
    from tests.tui.data import NOW, make_settings

    from callq.screens.summary import SummaryApp
    from callq.services.leads import NewLead, add_lead
    from callq.store.db import open_database

    evil = "\x1b]2;x\x07Mal[/]lory"
    settings = make_settings(db_target)
    db = open_database(db_target)
    try:
        for n, key in enumerate(IDS):
            new = NewLead(name=HOSTILE[key][0], phone=f"98765 432{n:02d}", owner=evil)
            add_lead(db, settings.rules, new, now=NOW - timedelta(days=2), rep=evil)
        app = SummaryApp(settings, days=7, db=db)
        async with app.run_test(size=(150, 60)) as pilot:
            for _ in range(200):
                await pilot.pause(0.05)
                await app.workers.wait_for_complete()
                if "Mal[/]lory" in screen_text(app):
                    break
            text = screen_text(app)
            assert raw_controls(text) == []
            assert "␛]2;x␇Mal[/]lory" in text
            assert "␛]2;PWNED␇Eve" in text  # an unworked lead's name
        assert app.return_code in (None, 0)
    finally:
        db.dispose()


# -- arbitrary text --------------------------------------------------------------------


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(
        lambda s: s.strip()
    ),
    note=st.text(st.characters(blacklist_categories=("Cs",)), max_size=80),
)
def test_any_text_as_name_and_note_never_raises_nor_reaches_the_terminal(cli, name, note):
    cli.counter = getattr(cli, "counter", 0) + 1
    phone = f"98{cli.counter:08d}"
    added = cli("add", "--name", name, "--phone", phone, "--note", note, "--format", "json")
    if added.exit_code != 0:  # a refusal (e.g. a NUL for PostgreSQL) is one line, exit 2
        assert added.exit_code == 2, _out(added)
        assert raw_controls(added.stderr) == []
        return
    lead_id = json.loads(added.stdout)["id"]
    for args in (
        ("show", str(lead_id)),
        ("queue", "--all", "--limit", "3"),
        ("export",),
        ("export", "--timeline"),
        ("export", "--format", "ics"),
        ("export", "--format", "json"),
    ):
        result = cli(*args)
        assert result.exit_code == 0, (args, _out(result))
        assert raw_controls(result.stdout) == [], args
        assert raw_controls(result.stderr) == [], args


async def test_a_paste_into_the_outcome_panel_never_reaches_the_terminal(hostile_app):
    """The panel's line editor takes a paste's first line, printable characters only."""
    from textual import events

    from callq.widgets.queue_list import QueueList

    app = hostile_app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        queue = app.screen.query_one(QueueList)
        queue.post_message(events.Paste("rang\x1b[2J twice\x9b5n\u202e\nthen"))
        await pilot.pause()
        shown = screen_text(app)
        assert raw_controls(shown) == []
        assert "> rang[2J twice5n" in shown and "then" not in shown.split("> rang")[1][:40]


async def test_tui_text_no_database_can_store_never_reaches_the_service(hostile_app):
    """Pasted into a form or the outcome panel, a NUL or a byte that is not UTF-8 is left
    out as any control character is (`visible.typed`): the rest is saved, the app keeps
    running. (The service's own refusal of such text is tested without a terminal.)"""
    from sqlalchemy import select
    from textual import events
    from textual.widgets import Input

    from callq.store.models import Call, Event
    from callq.widgets.queue_list import QueueList

    app = hostile_app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for bad in ("said\x00 hi", "said\udc9b hi"):
            await pilot.press("o")  # a note on the highlighted lead
            await pilot.pause()
            app.screen.query_one("#note", Input).post_message(events.Paste(bad))
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert app.return_code is None
        with app.db.read() as session:
            texts = (
                session.execute(select(Event.detail).where(Event.type == "note").order_by(Event.id))
                .scalars()
                .all()
            )
        assert [json.loads(t)["text"] for t in texts][-2:] == ["said hi", "said hi"]
        # The outcome panel: the paste's printable characters, saved.
        await pilot.press("1")
        await pilot.pause()
        app.screen.query_one(QueueList).post_message(events.Paste("rang\x00 twi\udc9bce"))
        await pilot.pause()
        assert "> rang twice" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.return_code is None
    with app.db.read() as session:
        notes = session.execute(select(Call.note).order_by(Call.id)).scalars().all()
    assert notes[-1] == "rang twice"


async def test_tui_a_paste_into_a_form_shows_no_control_character(hostile_app):
    """A paste into every form field (note, reschedule, add lead, search) keeps what a
    one-line field takes: the text around an OSC sequence, never the ESC or BEL; a ZWJ in
    a Devanagari name stays."""
    from textual import events
    from textual.widgets import Input

    app = hostile_app
    forms = (("o", "#note"), ("r", "#note"), ("a", "#name"), ("slash", "#query"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key, field in forms:
            await pilot.press(key)
            await pilot.pause()
            box = app.screen.query_one(field, Input)
            box.post_message(events.Paste("x\x1b]2;PWNED\x07y\u202e\nsecond line"))
            await pilot.pause()
            assert raw_controls(screen_text(app)) == [], key
            assert box.value == "x]2;PWNEDy", key
            box.value = ""
            box.post_message(events.Paste("क्\u200dष"))
            await pilot.pause()
            assert box.value == "क्\u200dष", key
            await pilot.press("escape")
            await pilot.pause()


async def test_tui_hostile_outcome_labels_and_rep_name(db_target):
    """A rules file's outcome labels and the rep's own name, hostile: the queue's header
    and legend, the outcome panel, the toast after logging, the lead screen's timeline
    and the Summary screen show them visibly, and the app runs on (one app run)."""
    from dataclasses import replace

    from tests.tui.data import NOW, make_settings

    from callq.app import make_app
    from callq.screens.lead import LeadScreen
    from callq.screens.summary import SummaryScreen
    from callq.services.leads import NewLead, add_lead
    from callq.store.db import open_database

    label = "No [/]answer \x1b[31m\u202e"
    evil = "\x1b]2;x\x07Mal[/]lory"
    settings = make_settings(db_target)
    outcomes = tuple(
        replace(o, label=label) if o.id == "no_answer" else o for o in settings.rules.outcomes
    )
    settings = replace(settings, rep=evil, rules=replace(settings.rules, outcomes=outcomes))
    db = open_database(db_target)
    try:
        new = NewLead(name="Eve [/]\x9b", phone="9876543210", owner=evil)
        add_lead(db, settings.rules, new, now=NOW - timedelta(minutes=5), rep=evil)
        app = make_app(settings, db=db, live=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            queue = screen_text(app)
            assert_visible(queue, ("No [/]answer ␛[31m<U+202E>"[:8], "␛]2;x␇Mal[/]lory"))
            await pilot.press("1")  # the outcome panel, with the label
            await pilot.pause()
            assert_visible(screen_text(app), ("No [/]answer ␛[31m<U+202E>",))
            await pilot.press("enter")  # logged: the toast names the outcome
            await pilot.pause()
            await pilot.pause()
            assert_visible(screen_text(app), ("No [/]answer ␛[31m<U+202E>",))
            app.push_screen(LeadScreen(1))
            await pilot.pause()
            assert_visible(screen_text(app), ("Eve [/]\\x9b", "␛]2;x␇Mal[/]lory"))
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("s")  # Summary: the rep's row and the outcome mix
            for _ in range(100):
                await pilot.pause(0.05)
                await app.workers.wait_for_complete()
                if isinstance(app.screen, SummaryScreen) and "Mal[/]lory" in screen_text(app):
                    break
            assert isinstance(app.screen, SummaryScreen)
            assert_visible(screen_text(app), ("␛]2;x␇Mal[/]lory",))
            assert app.return_code is None
    finally:
        db.dispose()


@pytest.mark.sqlite_only  # drawing is the same on both backends
async def test_tui_a_megabyte_of_hostile_text(db_target):
    """A megabyte name, company and note (escapes and markup throughout): the queue row
    and the lead screen show their start visibly, quickly, and say how much they left
    out; the app runs on."""
    import time

    from tests.tui.data import NOW, REP, make_settings

    from callq.app import make_app
    from callq.services.leads import NewLead, add_lead
    from callq.store.db import open_database

    big = ("Eve\x1b[2J[/] " * 100_000)[:1_000_000]
    settings = make_settings(db_target)
    db = open_database(db_target)
    try:
        new = NewLead(name=big, phone="9876543210", owner=REP, company=big, note=big)
        add_lead(db, settings.rules, new, now=NOW - timedelta(minutes=5), rep=REP)
        app = make_app(settings, db=db, live=False)
        started = time.perf_counter()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert_visible(screen_text(app), ("Eve␛[2J[/]",))
            await pilot.press("enter")  # the lead screen: name, company and note
            await pilot.pause()
            shown = screen_text(app)
            assert_visible(shown, ("Eve␛[2J[/]", "characters)"))
            assert app.return_code is None
        assert time.perf_counter() - started < 5
    finally:
        db.dispose()


def test_a_screen_draws_at_most_a_clip_of_one_text_and_says_what_it_left_out():
    from callq.visible import SHOWN_MAX, clipped

    assert clipped("Eve\x1b[2J") == "Eve␛[2J"  # short: the same as `safe`
    big = "\x1b" * (SHOWN_MAX + 5)
    shown = clipped(big)
    assert shown == "␛" * SHOWN_MAX + "…(+5 characters)"
    assert clipped("x" * 1_000_000, 10) == "xxxxxxxxxx…(+999,990 characters)"
