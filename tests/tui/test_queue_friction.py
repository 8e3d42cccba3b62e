"""The rep's queue and lead screen without friction (issue 14): real keys, what a rep sees.

Row markers explained (column titles, help), the footer and header at 80 and 120 columns,
keys that jump between sections, undone calls on the timeline, follow-up kinds in words,
and a command palette that says what each action does.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from tests.tui.data import NOW, REP, build_day

from callq.app import make_app
from callq.config.loading import ConfigError, parse_rules
from callq.screens.help import HelpScreen
from callq.screens.lead import LeadScreen
from callq.services.leads import NewLead, add_lead
from callq.services.outcomes import log_outcome, undo_last_outcome
from callq.widgets.footer import SteadyFooter
from callq.widgets.queue_list import COLUMNS, QueueColumns, QueueList, columns_for

WIDE, NARROW = (120, 40), (80, 24)
MINUTE = timedelta(minutes=1)


def rows_text(app) -> str:
    queue = app.screen.query_one(QueueList)
    return "\n".join(queue.render_line(y).text for y in range(queue.size.height))


def footer_words(app) -> list[str]:
    footer = app.screen.query_one(SteadyFooter)
    return [f"{key.key_display} {key.description}" for key in footer.children]


def current(app):
    return app.screen.query_one(QueueList).current_item


def lead_id(db, name: str) -> int:
    from sqlmodel import select

    from callq.store.models import Lead

    with db.read() as session:
        return session.exec(select(Lead.id).where(Lead.name == name)).one()


# -- 1. row markers ------------------------------------------------------------------


async def test_columns_are_titled_over_the_rows_and_help_explains_the_markers(app):
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        titles = str(app.screen.query_one(QueueColumns).render())
        first_row = rows_text(app).splitlines()[1]
        assert first_row.startswith(" ! Priya Sharma")  # high urgency, breached
        # Each title starts where its column does in the rows.
        for title, cell in (("Name", "Priya"), ("Phone", "+91"), ("Due / late", "15m late")):
            assert titles.index(title) == first_row.index(cell), (title, titles, first_row)
        assert "Attempt" in titles and "1/5" in first_row
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#keys").content)
        assert "In a queue row:" in text
        for marker in (
            "!  high urgency",
            "ESC 5d 4h late  escalated",
            "2/5  the next call is touch 2",
            "#7  ",
        ):
            assert marker in text, marker


# -- 2. narrow terminals -------------------------------------------------------------


def test_columns_drop_in_the_written_order():
    assert [c.key for c in columns_for(118)] == [c.key for c in COLUMNS]
    assert [c.key for c in columns_for(98)] == [c.key for c in COLUMNS if c.key != "company"]
    assert [c.key for c in columns_for(78)] == ["mark", "name", "phone", "attempt", "due", "last"]
    assert [c.key for c in columns_for(40)] == ["mark", "name", "phone", "due"]


@pytest.mark.parametrize(
    ("size", "keys", "columns"),
    [
        (
            WIDE,
            ["Open", "Next", "Dial", "Reschedule", "Note", "Undo", "Search", "Add", "Copy"]
            + ["Summary", "Quit", "Section", "Help"],
            ["Name", "Phone", "Company", "Channel", "Stage", "Attempt", "Due / late", "Last"],
        ),
        (
            NARROW,
            ["Open", "Next", "Dial", "Reschedule", "Note", "Undo", "Search", "Help"],
            ["Name", "Phone", "Attempt", "Due / late", "Last"],
        ),
    ],
)
async def test_what_fits_at_120_and_80_columns(app, size, keys, columns):
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        words = footer_words(app)
        assert [w.split(" ")[-1] for w in words] == [*keys, "palette"]
        assert "? Help" in words
        header = str(app.screen.query_one("#header").content)
        for count in ("New 2", "Overdue 1", "Due today 2", "Upcoming 1"):
            assert count in header, header
        titles = str(app.screen.query_one(QueueColumns).render()).split()
        assert [t for t in titles if t not in ("/", "late", "outcome")] == [
            c.split()[0] for c in columns
        ]
        assert "15m late" in rows_text(app)  # the due column is never the one cut


async def test_the_footer_follows_a_resize(app):
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert "q Quit" in footer_words(app)
        await pilot.resize_terminal(*NARROW)
        await pilot.pause()
        await pilot.pause()
        words = footer_words(app)
        assert "q Quit" not in words and "? Help" in words
        header = str(app.screen.query_one("#header").content)
        assert "Upcoming 1" in header and len(header) <= 80


# -- 3. jumping between sections -------------------------------------------------------


@pytest.fixture
def big_queue(tmp_path: Path):
    """The day, with 60 more new leads: Overdue starts far below the first screen."""
    settings, db = build_day(tmp_path / "big.db")
    for n in range(60):
        new = NewLead(name=f"Web Lead {n:02d}", phone=f"98450 {n:05d}", owner=REP, source="web")
        add_lead(db, settings.rules, new, now=NOW - (n + 1) * MINUTE, rep=REP)
    yield settings, db
    db.dispose()


async def test_brackets_jump_between_sections(big_queue):
    settings, db = big_queue
    app = make_app(settings, db=db, live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        assert current(app).section == "new"
        assert "Overdue (" not in rows_text(app)
        await pilot.press("right_square_bracket")
        assert current(app).section == "overdue"
        assert " Overdue (1)" in rows_text(app)  # its title in view (on top if it can be)
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert current(app).section == "upcoming"
        await pilot.press("right_square_bracket")  # no section below: it stays
        assert current(app).section == "upcoming"
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket")
        assert current(app).section == "new"
        assert current(app).name == rows_text(app).splitlines()[1][3:].split("  ")[0].strip()


async def test_section_keys_are_in_the_keymap_palette_and_help(tmp_path: Path):
    rules = parse_rules('[keys]\nnext_section = "J"\nprevious_section = "K"\n', Path("c.toml"))
    assert rules.keys == {"next_section": "J", "previous_section": "K"}
    with pytest.raises(ConfigError, match="already the key of 'next'"):
        parse_rules('[keys]\nnext_section = "n"\n', Path("c.toml"))
    swapped = parse_rules('[keys]\nsummary = "]"\nnext_section = "S"\n', Path("c.toml"))
    assert swapped.keys == {"summary": "right_square_bracket", "next_section": "S"}
    settings, db = build_day(tmp_path / "keys.db")
    from dataclasses import replace

    settings = replace(settings, rules=rules)
    app = make_app(settings, db=db, live=False)
    try:
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            await pilot.press("J")
            assert current(app).section == "overdue"
            await pilot.press("K")
            assert current(app).section == "new"
            assert "K J Section" in footer_words(app)  # previous, next
            commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
            assert commands["Next section"].endswith("· key J")
            await pilot.press("question_mark")
            await pilot.pause()
            text = str(app.screen.query_one("#keys").content)
            assert "J  Next section" in text and "K  Previous section" in text
    finally:
        db.dispose()


# -- 4. undone calls on the timeline ---------------------------------------------------


async def test_an_undone_call_is_marked_and_only_standing_calls_are_numbered(day, cli):
    settings, db = day
    priya = lead_id(db, "Priya Sharma")
    rules = settings.rules
    log_outcome(db, rules, f"#{priya}", "no_answer", rep=REP, now=NOW - 10 * MINUTE)
    undo_last_outcome(db, rules, rep=REP, now=NOW - 9 * MINUTE)
    log_outcome(db, rules, f"#{priya}", "busy", rep=REP, now=NOW - 5 * MINUTE, note="in a call")
    app = make_app(settings, db=db, live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        for _ in range(10):  # walk down to her row, as a rep would
            if current(app).name == "Priya Sharma":
                break
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LeadScreen)
        timeline = str(app.screen.query_one("#timeline").content)
    expected = [
        "Call #1: Busy (asha) — in a call",
        "Undone: No answer (asha); stage back to new",
        "Call (undone): No answer (asha)",
    ]
    positions = [timeline.index(line) for line in expected]
    assert positions == sorted(positions)  # newest first
    assert timeline.count("Call #") == 1
    shown = cli("show", str(priya))
    assert shown.exit_code == 0, shown.stderr
    for line in expected:  # the CLI's `show` reads the same sentences
        assert line in shown.stdout


# -- 5. words, not internal keys -------------------------------------------------------


async def test_lead_screen_says_first_response_in_words(app):
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        facts = str(app.screen.query_one("#lead-facts").content)
        assert "first response due" in facts and "first_response" not in facts
        timeline = str(app.screen.query_one("#timeline").content)
        assert "(first response)" in timeline and "first_response" not in timeline


async def test_the_palette_says_what_an_action_does(app):
    from textual.command import CommandList

    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p", *"dial")
        await pilot.pause(0.3)
        options = app.screen.query_one(CommandList)
        hits = [options.get_option_at_index(i).hit for i in range(options.option_count)]
        dial = next(hit for hit in hits if hit.text == "Dial")
        assert dial.help == "Call the lead's number ([dial] command) · key d"
        for command in app.get_system_commands(app.screen_stack[0]):
            assert f"({command.title.lower()})" not in command.help.lower()
