"""The queue's outcome panel as plain state: editing keys, the choice it hands back, its size."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.style import Style

from callq.config.loading import load_default_rules
from callq.rules.phrases import CallbackError
from callq.services.suggest import Suggestion
from callq.widgets.outcome_panel import LineEdit, OutcomePanel, PanelStyles
from callq.widgets.queue_list import PANEL_HEIGHT, PANEL_WIDTH
from callq.widgets.time_field import TimeContext

NOW = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)
IST = ZoneInfo("Asia/Kolkata")
RULES = load_default_rules()
STYLES = PanelStyles(*([Style()] * 8))


def panel(outcome_id: str, *, at: datetime | None, required=False, closes=False, chosen=None):
    outcome = next(o for o in RULES.outcomes if o.id == outcome_id)
    suggestion = Suggestion(outcome, at, required, closes, IST, IST)
    context = TimeContext(NOW, IST, ZoneInfo("Europe/London"), RULES.hours)
    return OutcomePanel("Priya Sharma", suggestion, context, chosen or (lambda choice: None))


def type_keys(p: OutcomePanel, *keys: str) -> None:
    for key in keys:
        p.key(key, key if len(key) == 1 else None)


def test_line_edit_keys():
    edit = LineEdit()
    for ch in "helo":
        edit.key(ch, ch)
    edit.key("left", None)
    edit.key("l", "l")
    assert (edit.text, edit.cursor) == ("hello", 4)
    edit.key("home", None)
    edit.key("delete", None)
    edit.key("end", None)
    edit.key("backspace", None)
    assert edit.text == "ell"
    edit.key("left", None)
    edit.key("ctrl+k", None)
    assert edit.text == "el"
    edit.key("ctrl+u", None)
    assert (edit.text, edit.cursor) == ("", 0)
    assert edit.key("f5", None) is False


@given(
    st.lists(
        st.sampled_from(
            [
                "a",
                "1",
                " ",
                "é",
                "left",
                "right",
                "home",
                "end",
                "backspace",
                "delete",
                "ctrl+u",
                "ctrl+k",
            ]
        ),
        max_size=40,
    )
)
def test_line_edit_cursor_stays_inside_the_text(keys):
    edit = LineEdit()
    for key in keys:
        edit.key(key, key if len(key) == 1 else None)
        assert 0 <= edit.cursor <= len(edit.text)


def test_the_rule_time_is_prefilled_and_kept_when_untouched():
    chosen = []
    p = panel("no_answer", at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC), chosen=chosen.append)
    assert p.when.text == "2026-11-23 14:30"
    type_keys(p, *"busy line")
    choice = p.choice()
    assert choice.note == "busy line" and choice.callback is None  # the rule decides


def test_a_typed_time_is_read_in_the_reps_zone_or_theirs():
    p = panel("no_answer", at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    type_keys(p, "tab", "ctrl+u", *"tomorrow 3pm")
    assert p.choice().callback == datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    p.key("ctrl+t", None)
    choice = p.choice()
    assert choice.their_time and choice.callback == datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def test_ask_requires_a_time_and_bad_text_raises():
    p = panel("callback", at=None, required=True)
    type_keys(p, "tab", "ctrl+u")
    with pytest.raises(CallbackError):
        p.choice()
    type_keys(p, *"next week")
    with pytest.raises(CallbackError):
        p.choice()
    assert p.preview()[1] is False


def test_keys_that_end_the_panel():
    p = panel("won", at=None, closes=True)
    assert p.key("enter", None) == "save"
    assert p.key("escape", None) == "cancel"
    type_keys(p, "tab", "ctrl+t", *"signed")
    assert p.editing == "note" and not p.their_time and p.note.text == "signed"
    assert p.choice().callback is None


@pytest.mark.parametrize("closes", [False, True])
def test_every_panel_has_the_size_the_list_reserves(closes):
    p = panel("won" if closes else "no_answer", at=None if closes else NOW, closes=closes)
    type_keys(p, "tab", "ctrl+u", *"'10' is not a time the panel should wrap onto two lines ok")
    lines = p.lines(PANEL_WIDTH, STYLES)
    assert len(lines) == PANEL_HEIGHT
    assert {line.cell_len for line in lines} == {PANEL_WIDTH}
