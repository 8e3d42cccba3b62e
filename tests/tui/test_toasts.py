"""The queue list's toasts as plain state: stacking, expiry, wrapping and placement."""

from hypothesis import given
from hypothesis import strategies as st
from rich.style import Style

from callq.widgets.toasts import MAX_SHOWN, Toast, ToastStack, ToastStyles

STYLES = ToastStyles(
    body=Style(bgcolor="grey23"),
    title=Style(bold=True),
    bars={
        "information": Style(color="green"),
        "warning": Style(color="yellow"),
        "error": Style(color="red"),
    },
)


def stack_of(*messages: str, expires: float = 10.0) -> ToastStack:
    stack = ToastStack()
    for message in messages:
        stack.add(Toast(message, "", "information", expires))
    return stack


def test_the_newest_toasts_stay_and_the_oldest_give_way():
    stack = stack_of(*(f"toast {n}" for n in range(MAX_SHOWN + 2)))
    assert [t.message for t in stack.toasts] == [f"toast {n}" for n in range(2, MAX_SHOWN + 2)]


def test_expire_drops_only_the_toasts_whose_time_is_up():
    stack = ToastStack()
    stack.add(Toast("soon", "", "information", 1.0))
    stack.add(Toast("later", "", "information", 5.0))
    assert stack.next_expiry() == 1.0
    assert stack.expire(0.5) is False
    assert stack.expire(1.0) is True
    assert [t.message for t in stack.toasts] == ["later"]
    assert stack.next_expiry() == 5.0
    stack.expire(9.0)
    assert stack.next_expiry() is None


def test_lines_show_title_then_message_with_a_gap_between_toasts():
    stack = ToastStack()
    stack.add(Toast("No answer · next Mon 14:30", "Priya Sharma", "information", 9.0))
    stack.add(Toast("Database busy", "", "error", 9.0))
    lines = stack.lines(40, STYLES)
    texts = [None if line is None else line.plain for line in lines]
    assert texts[0].startswith("▌ Priya Sharma")
    assert texts[1].startswith("▌ No answer · next Mon 14:30")
    assert texts[2] is None
    assert texts[3].startswith("▌ Database busy")
    # the error's bar has the error colour
    assert lines[3].spans[0].style == STYLES.bars["error"]


@given(st.text(max_size=300), st.integers(min_value=4, max_value=200))
def test_every_line_fills_exactly_the_toast_width(message, width):
    stack = stack_of(message)
    for line in stack.lines(width, STYLES):
        assert line is not None and line.cell_len == max(width - 3, 1) + 3


@given(
    st.integers(min_value=1, max_value=300),
    st.integers(min_value=1, max_value=80),
    st.integers(min_value=0, max_value=20),
)
def test_the_stack_sits_in_the_bottom_right_corner_inside_the_list(width, height, lines):
    area = ToastStack().area(width, height, lines)
    assert area.left + area.width == width and area.top + area.height == height
    assert area.left >= 0 and area.top >= 0 and area.height <= height


async def test_the_list_draws_its_toasts_and_one_expiring_leaves_the_others_as_they_were():
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from textual.app import App

    from callq.widgets.queue_list import QueueList

    class ListApp(App):
        def compose(self):
            yield QueueList(tz=ZoneInfo("UTC"))

        def on_mount(self) -> None:
            self.query_one(QueueList).load({}, lambda *_: [], datetime(2026, 11, 23, tzinfo=UTC))

    def shown(queue: QueueList) -> str:
        return "\n".join(queue.render_line(y).text for y in range(queue.size.height))

    app = ListApp()
    async with app.run_test(size=(100, 20)) as pilot:
        queue = app.query_one(QueueList)
        queue.show_toast("Busy · next 14:00", title="Priya Sharma", timeout=0.2)
        queue.show_toast("No answer · next 15:00", title="Rahul Verma", timeout=30)
        await pilot.pause()
        assert "Priya Sharma" in shown(queue) and "Rahul Verma" in shown(queue)
        kept = queue._toast_cache[queue.toasts.toasts[1]]
        await pilot.pause(0.4)  # the first one's time is up
        lines = shown(queue).splitlines()
        assert "Priya Sharma" not in "\n".join(lines)
        assert "Rahul Verma" in lines[-2] and "No answer · next 15:00" in lines[-1]
        assert queue._toast_cache[queue.toasts.toasts[0]] is kept  # not built again
