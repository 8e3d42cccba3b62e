"""Pilot tests of search: each result names its owner and stage; nothing found says so."""

from dataclasses import replace

from tests.tui.data import NOW, REP
from textual.widgets import Label, OptionList

from callq.screens.lead import LeadScreen
from callq.screens.search import SearchScreen
from callq.services.leads import NewLead, add_lead
from callq.services.outcomes import log_outcome
from callq.services.search import search_leads

SIZE = (120, 40)


def results(screen: SearchScreen) -> list[str]:
    found = screen.query_one("#results", OptionList)
    return [str(found.get_option_at_index(i).prompt) for i in range(found.option_count)]


def label(screen: SearchScreen, label_id: str) -> str:
    shown = screen.query_one(f"#{label_id}", Label)
    return str(shown.content) if shown.display else ""


async def test_results_show_owner_and_stage(app, day):
    settings, db = day
    log_outcome(db, settings.rules, "97000 33445", "won", rep=REP, now=NOW)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"desai")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        [row] = results(screen)
        cells = row.split()
        assert cells[:2] == ["Anita", "Desai"] and cells[-2:] == [REP, "won"]
        assert "Desai Textiles" in row and "+91 97000 33445" in row
        assert label(screen, "headings").split() == ["name", "phone", "company", "owner", "stage"]
        assert label(screen, "none") == ""
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace")
        await pilot.press(*"'s lead")
        [row] = results(app.screen)
        assert row.split()[-2:] == ["ben", "new"]  # a colleague's lead says whose it is


async def test_nothing_found_says_no_matches(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"zzqx")
        screen = app.screen
        assert results(screen) == []
        assert label(screen, "none") == "no matches for zzqx"
        assert label(screen, "headings") == ""
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        assert label(screen, "none") == ""  # an empty search is not a failed one
        await pilot.press(*"karan", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LeadScreen)


def test_search_reads_owner_and_stage_and_an_unowned_lead(day):
    settings, db = day
    no_team = replace(settings.rules, team=replace(settings.rules.team, reps=()))
    add_lead(db, no_team, NewLead(name="Nobody's", phone="98450 11111"), now=NOW, rep="x")
    [found] = search_leads(db, "nobody")
    assert (found.stage, found.owner) == ("new", None)  # no team to go round: no owner
    [found] = search_leads(db, "Priya")
    assert (found.name, found.owner, found.stage) == ("Priya Sharma", REP, "new")
