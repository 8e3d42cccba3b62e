"""The rules file edited under a running app: new rules within seconds, a banner while broken."""

import asyncio
import os
import time
from dataclasses import replace

import pytest

from callq.app import make_app
from callq.config.loading import default_config_text, load_default_rules, load_rules
from callq.config.watch import RulesWatcher
from callq.screens.help import HelpScreen
from callq.widgets.banner import RulesBanner
from callq.widgets.legend import OutcomeLegend
from callq.widgets.queue_list import QueueList

SIZE = (120, 40)
DEFAULT = default_config_text()
RELABELLED = DEFAULT.replace('label = "No answer"', 'label = "Rang out"').replace(
    '# help = "f1"', 'help = "f1"'
)
BROKEN = RELABELLED.replace('label = "Busy"', "label = Busy")  # text needs quotes
BROKEN_LINE = BROKEN.splitlines().index("label = Busy") + 1


def save(path, text: str) -> None:
    """Write as an editor would; bump the mtime so even a coarse clock sees a change."""
    path.write_text(text, encoding="utf-8")
    stamp = time.time_ns() + 1_000_000_000
    os.utime(path, ns=(stamp, stamp))


async def until(pilot, condition, seconds: float = 6.0) -> None:
    """Let the app run (its watcher ticks every second) until `condition()` holds."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the running app did not follow the rules file"
        await asyncio.sleep(0.05)
        await pilot.pause()


def legend_text(app) -> str:
    legend = app.screen.query_one(OutcomeLegend)
    return "\n".join(line.plain for line in legend.lines(200))


def banner_text(app) -> str | None:
    banners = app.screen.query(RulesBanner)
    return str(banners.first().render()) if banners else None


async def test_edited_rules_reach_the_running_app(day, tmp_path):
    settings, db = day
    rules_file = tmp_path / "callq.toml"
    save(rules_file, DEFAULT)
    settings = replace(settings, config_path=rules_file, rules=load_rules(rules_file))
    app = make_app(settings, db=db, live=False, watch_rules=True)
    async with app.run_test(size=SIZE) as pilot:
        assert "1 No answer" in legend_text(app)

        save(rules_file, RELABELLED)
        started = time.monotonic()
        await until(pilot, lambda: "1 Rang out" in legend_text(app))
        # Within 2 s of the save (a tick a second, then a read in a thread), with slack
        # for a loaded machine.
        assert time.monotonic() - started < 4
        await pilot.press("1")  # the outcome panel offers the new label too
        await pilot.pause()
        panel = app.screen.query_one(QueueList)
        panel_text = "\n".join(panel.render_line(y).text for y in range(panel.size.height))
        assert "Rang out" in panel_text
        await pilot.press("escape")
        await pilot.press("f1")  # a key rebound in [keys]
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()

        save(rules_file, BROKEN)
        await until(pilot, lambda: banner_text(app) is not None)
        assert f"{rules_file}:{BROKEN_LINE}: outcomes.busy.label: invalid" in banner_text(app)
        assert "1 Rang out" in legend_text(app)  # the last good rules stay
        await pilot.press("1")
        await pilot.pause()
        assert app.screen.query_one(QueueList).panel is not None  # and the app keeps working
        await pilot.press("escape")
        await pilot.press("enter")  # every screen the rep opens says so too
        await until(pilot, lambda: banner_text(app) is not None)
        assert f"{rules_file}:{BROKEN_LINE}:" in banner_text(app)

        save(rules_file, DEFAULT)
        await until(pilot, lambda: banner_text(app) is None and "1 No answer" in legend_text(app))
        await pilot.press("escape")  # back on the queue: no banner there either
        await pilot.pause()
        assert not app.screen.query(RulesBanner)
        assert "1 No answer" in legend_text(app)


def test_watcher_sees_changes_and_reports_the_broken_line(tmp_path):
    rules_file = tmp_path / "callq.toml"
    save(rules_file, RELABELLED)
    watcher = RulesWatcher(rules_file, missing_is_default=False)
    assert not watcher.changed()  # stamped when made

    save(rules_file, BROKEN)
    assert watcher.changed()
    assert not watcher.changed()  # once per change
    reloaded = watcher.reload()
    assert reloaded.rules is None
    assert str(reloaded.error).startswith(f"{rules_file}:{BROKEN_LINE}: ")

    save(rules_file, RELABELLED)
    assert watcher.changed()
    assert watcher.reload().rules.outcome("1").label == "Rang out"


@pytest.mark.parametrize("found_by_looking", [True, False])
def test_watcher_on_a_removed_file(tmp_path, found_by_looking):
    """The user's own config file removed: the built-in rules, as at the next start; a
    file named by --config removed: an error, and the last good rules stay."""
    rules_file = tmp_path / "callq.toml"
    save(rules_file, RELABELLED)
    watcher = RulesWatcher(rules_file, missing_is_default=found_by_looking)
    rules_file.unlink()
    assert watcher.changed()
    reloaded = watcher.reload()
    if found_by_looking:
        assert reloaded.rules == load_default_rules()
    else:
        assert reloaded.rules is None
        assert str(reloaded.error) == f"{rules_file}: cannot read: No such file or directory"
