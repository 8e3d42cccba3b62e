"""Tests of the rules file: defaults, discovery, init, and file:line errors for broken files."""

from datetime import date, time, timedelta
from pathlib import Path
from textwrap import dedent

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callq.config import schema as config_schema
from callq.config.loading import (
    ConfigError,
    default_config_text,
    find_config,
    load_default_rules,
    load_rules,
    parse_rules,
    write_default_config,
)
from callq.rules.model import CLOSED_STAGES
from callq.rules.timeexpr import After, Ask, DayAt, NoNext

NAME = Path("callq.toml")

# Two valid outcomes to build broken outcome tables on (lines 1-5 and 7-11).
OUTCOMES = """\
[outcomes.no_answer]
key = "1"
label = "No answer"
connected = false
next = "cadence"

[outcomes.busy]
key = "2"
label = "Busy"
connected = false
next = "30m"
"""


def test_default_rules_are_the_shipped_text() -> None:
    rules = load_default_rules()
    assert rules == load_rules(None)
    assert rules is load_default_rules()  # parsed once per process
    assert rules.team.timezone == "Asia/Kolkata"
    assert rules.team.region == "IN"
    assert rules.team.reps == ("asha", "ben", "chen")
    assert rules.team.late_after == timedelta(hours=1)
    assert rules.team.me is None
    assert rules.hours.weekly[0] == ((time(9, 30), time(18, 30)),)
    assert rules.hours.weekly[5] == ((time(10), time(14)),)
    assert rules.hours.weekly[6] == ()
    assert rules.hours.holidays == {date(2026, 12, 25)}
    assert rules.sla.target("web") == timedelta(minutes=15)
    assert rules.sla.target("referral") == timedelta(hours=1)
    assert rules.cadence.touches[-1] == timedelta(days=5)
    assert rules.cadence.after_last == "cold"
    assert rules.cost.conversion_rate is None
    assert rules.dial_command is None
    assert rules.notify.bell is True
    assert rules.keys == {}


def test_default_outcomes() -> None:
    rules = load_default_rules()
    assert [o.key for o in rules.outcomes] == list("123456789")
    assert rules.outcome("busy").next == After(timedelta(minutes=30))
    assert rules.outcome("voicemail").label == "Left voicemail"
    assert rules.outcome("callback").next == Ask(DayAt(1, time(10)))
    assert rules.outcome("interested").stage == "qualified"
    assert rules.outcome("wrong_number").connected is False
    assert rules.outcome("dnc").connected is True
    for outcome in rules.outcomes:
        assert (outcome.stage in CLOSED_STAGES) == isinstance(outcome.next, NoNext)


def test_default_text_is_commented_for_an_admin() -> None:
    text = default_config_text()
    assert '# me = "asha"' in text
    assert '# command = ["termux-telephony-call", "{phone}"]' in text
    assert '# summary = "S"' in text
    assert "# conversion_rate = 0.10" in text


def test_init_file_loads_to_the_default_rules(tmp_path: Path) -> None:
    path = write_default_config(tmp_path / "deep" / "dir" / "callq.toml")
    assert path.read_text(encoding="utf-8") == default_config_text()
    assert load_rules(path) == load_default_rules()


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    path = tmp_path / "callq.toml"
    path.write_text("# mine\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_default_config(path)
    assert path.read_text(encoding="utf-8") == "# mine\n"
    write_default_config(path, force=True)
    assert path.read_text(encoding="utf-8") == default_config_text()


def test_tables_left_out_keep_the_builtin_ones() -> None:
    rules = parse_rules('[team]\nreps = ["zed"]\n', NAME)
    assert rules.team.reps == ("zed",)
    assert rules.team.timezone == "UTC"  # a written table replaces the built-in one
    assert rules.outcomes == load_default_rules().outcomes
    assert rules.hours == load_default_rules().hours


def test_outcomes_are_ordered_by_key_and_options_parse() -> None:
    text = dedent("""\
        [outcomes.later]
        key = "3"
        label = "Later"
        connected = true
        next = "ask"

        [outcomes.first]
        key = "1"
        label = "First"
        connected = false
        next = "2h"

        [dial]
        command = ["termux-telephony-call", "{phone}"]

        [cost]
        conversion_rate = 0.1

        [keys]
        summary = "S"
        help = "f1"

        [hours]
        mon-wed = "09:00-13:00, 14:00-18:00"
        thu = "closed"
        fri = "10:00-12:00"
        holidays = [2026-01-26, "2026-08-15"]
        """)
    rules = parse_rules(text, NAME)
    assert [o.id for o in rules.outcomes] == ["first", "later"]
    assert rules.dial_command == ("termux-telephony-call", "{phone}")
    assert rules.cost.conversion_rate == 0.1
    assert rules.keys == {"summary": "S", "help": "f1"}
    assert rules.hours.weekly[2] == ((time(9), time(13)), (time(14), time(18)))
    assert rules.hours.weekly[3] == ()
    assert rules.hours.holidays == {date(2026, 1, 26), date(2026, 8, 15)}


BROKEN = [
    ("syntax", "[team]\nlate_after = 1h\n", "callq.toml:2: team.late_after: invalid TOML"),
    (
        "duplicate key",
        '[team]\nregion = "IN"\nregion = "US"\n',
        "callq.toml:3: team.region: invalid TOML: this key is already set above",
    ),
    (
        "duplicate table",
        OUTCOMES + '\n[outcomes.busy]\nkey = "3"\n',
        "callq.toml:13: outcomes.busy: invalid TOML: this table is already declared above",
    ),
    ("bad duration", '[team]\nlate_after = "1 hour"\n', "callq.toml:2: team.late_after: "),
    ("duration type", "[sla]\nweb = 15\n", "callq.toml:2: sla.web: must be a duration"),
    (
        "unknown key",
        OUTCOMES.replace('key = "2"', 'keyy = "2"'),
        "callq.toml:8: outcomes.busy.keyy: unknown key 'keyy' (known: key, label, ",
    ),
    (
        "unknown table",
        '[team]\nregion = "IN"\n\n[hourz]\nmon = "09:00-17:00"\n',
        "callq.toml:4: hourz: unknown table 'hourz' (known: team, hours, ",
    ),
    ("key 0", OUTCOMES.replace('"2"', '"0"'), "callq.toml:8: outcomes.busy.key: must be one digit"),
    (
        "duplicate keys",
        OUTCOMES.replace('"2"', '"1"'),
        "callq.toml:8: outcomes.busy.key: key \"1\" is already used by outcome 'no_answer'",
    ),
    (
        "duplicate labels",
        OUTCOMES.replace('"Busy"', '"no answer"'),
        "callq.toml:9: outcomes.busy.label: label 'no answer' is already used",
    ),
    (
        "missing next",
        OUTCOMES.replace('next = "30m"\n', ""),
        "callq.toml:7: outcomes.busy: missing key 'next'",
    ),
    (
        "bad stage",
        OUTCOMES + 'stage = "hot"\n',
        "callq.toml:12: outcomes.busy.stage: 'hot' is not one of new, ",
    ),
    (
        "none with open stage",
        OUTCOMES.replace('"30m"', '"none"'),
        'callq.toml:11: outcomes.busy.next: "none" needs a closed stage',
    ),
    (
        "closed stage with a next",
        OUTCOMES + 'stage = "lost"\n',
        "callq.toml:11: outcomes.busy.next: stage 'lost' closes the lead",
    ),
    (
        "bad next",
        OUTCOMES.replace('"30m"', '"soon"'),
        "callq.toml:11: outcomes.busy.next: 'soon' is not a rule expression",
    ),
    (
        "connected not bool",
        OUTCOMES.replace('connected = false\nnext = "30m"', 'connected = "no"\nnext = "30m"'),
        "callq.toml:10: outcomes.busy.connected: must be true or false",
    ),
    (
        "bad hours span",
        '[hours]\nmon = "9-17"\n',
        "callq.toml:2: hours.mon: '9-17' is not a span like 09:30-18:30",
    ),
    (
        "close before open",
        '[hours]\n"mon-fri" = "18:30-09:30"\n',
        "callq.toml:2: hours.mon-fri: '18:30-09:30' closes before it opens",
    ),
    ("hour 25", '[hours]\nmon = "09:00-25:00"\n', "callq.toml:2: hours.mon: 25:00 is not a time"),
    (
        "bad day name",
        '[hours]\nmonday = "09:00-17:00"\n',
        "callq.toml:2: hours.monday: unknown day",
    ),
    (
        "day set twice",
        '[hours]\nmon-fri = "09:00-17:00"\nfri = "09:00-13:00"\n',
        "callq.toml:3: hours.fri: fri is already set by 'mon-fri'",
    ),
    ("no open day", "[hours]\nholidays = []\n", "callq.toml:1: hours: no day has hours"),
    (
        "bad holiday date",
        '[hours]\nmon = "09:00-17:00"\nholidays = ["2026-02-30"]\n',
        "callq.toml:3: hours.holidays: '2026-02-30' is not a date",
    ),
    (
        "bad timezone",
        '[team]\ntimezone = "Asia/Bangalore"\n',
        "callq.toml:2: team.timezone: unknown timezone 'Asia/Bangalore'",
    ),
    ("bad region", '[team]\nregion = "XX"\n', "callq.toml:2: team.region: unknown phone region"),
    ("reps empty", "[team]\nreps = []\n", "callq.toml:2: team.reps: must name at least one rep"),
    (
        "reps twice",
        '[team]\nreps = ["a", "A"]\n',
        "callq.toml:2: team.reps: rep 'A' is listed twice",
    ),
    ("reps type", '[team]\nreps = "asha"\n', "callq.toml:2: team.reps: must be a list of strings"),
    (
        "bad date_order",
        '[team]\ndate_order = "ymd"\n',
        "callq.toml:2: team.date_order: 'ymd' is not one of dmy, mdy",
    ),
    (
        "cadence not ascending",
        '[cadence]\ntouches = [\n  "0m",\n  "1d",\n  "4h",\n]\n',
        "callq.toml:2: cadence.touches: touches must ascend: '4h' is not after '1d'",
    ),
    ("cadence empty", "[cadence]\ntouches = []\n", "callq.toml:2: cadence.touches: must list"),
    (
        "after_last open stage",
        '[cadence]\ntouches = ["0m"]\nafter_last = "contacted"\n',
        "callq.toml:3: cadence.after_last: must be a closed stage",
    ),
    (
        "negative cost",
        "[cost]\navg_deal_value = 4000\ncost_per_lead = -5\n",
        "callq.toml:3: cost.cost_per_lead: must not be negative",
    ),
    ("cost nan", "[cost]\navg_deal_value = nan\n", "callq.toml:2: cost.avg_deal_value: must be a"),
    (
        "cost huge",
        "[cost]\navg_deal_value = 1" + "0" * 400 + "\n",
        "callq.toml:2: cost.avg_deal_value: must be a finite number",
    ),
    (
        "cost type",
        '[cost]\navg_deal_value = "4k"\n',
        "callq.toml:2: cost.avg_deal_value: must be a",
    ),
    (
        "conversion_rate 1.5",
        "[cost]\nconversion_rate = 1.5\n",
        "callq.toml:2: cost.conversion_rate: must be a fraction above 0 and at most 1",
    ),
    (
        "dial without phone",
        '[dial]\ncommand = ["termux-telephony-call", "{number}"]\n',
        'callq.toml:2: dial.command: must contain "{phone}"',
    ),
    (
        "dial as a string",
        '[dial]\ncommand = "call {phone}"\n',
        "callq.toml:2: dial.command: must be a list of strings",
    ),
    (
        "keys bound to an outcome",
        '[keys]\nsummary = "S"\nhelp = "4"\n',
        "callq.toml:3: keys.help: \"4\" logs outcome 'callback'",
    ),
    (
        "keys not one key",
        '[keys]\nsummary = "sum mary"\n',
        "callq.toml:2: keys.summary: must be one",
    ),
    ("table as value", 'notify = "yes"\n', "callq.toml:1: notify: must be a table"),
    (
        "dotted keys",
        'outcomes.busy.key = "2"\noutcomes.busy.label = "Busy"\n',
        "callq.toml:1: outcomes.busy: missing key 'connected'",
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_broken_config_names_file_line_and_key(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_rules(text, NAME)
    assert str(caught.value).startswith(expected), str(caught.value)


def test_error_attributes_and_path_as_given(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text('[team]\nregion = "XX"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_rules(path)
    error = caught.value
    assert (error.path, error.line, error.key_path) == (path, 2, "team.region")
    assert str(error) == f"{path}:2: team.region: {error.problem}"
    assert isinstance(error, ValueError)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        find_config(tmp_path / "nope.toml", {})
    with pytest.raises(ConfigError, match="cannot read"):
        load_rules(tmp_path / "missing.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'[team]\nme = "Jos\xe9"\n')
    with pytest.raises(ConfigError, match=r"latin.toml:2: not UTF-8"):
        load_rules(latin)


def test_find_config_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user_file = tmp_path / "user" / "callq.toml"
    monkeypatch.setattr("callq.config.paths.user_config_file", lambda: user_file)
    explicit, from_env = tmp_path / "explicit.toml", tmp_path / "env.toml"
    explicit.touch()
    from_env.touch()
    assert find_config(None, {}) is None  # built-in default applies
    write_default_config(user_file)
    assert find_config(None, {}) == user_file
    assert find_config(None, {"CALLQ_CONFIG": ""}) == user_file
    assert find_config(None, {"CALLQ_CONFIG": str(from_env)}) == from_env
    assert find_config(explicit, {"CALLQ_CONFIG": str(from_env)}) == explicit
    with pytest.raises(ConfigError, match="CALLQ_CONFIG"):
        find_config(None, {"CALLQ_CONFIG": str(tmp_path / "gone.toml")})
    with pytest.raises(ConfigError, match="not a file"):
        find_config(tmp_path, {})


def test_common_regions_are_real_regions() -> None:
    # The shortcut that avoids importing phonenumbers must never accept a bad region.
    assert config_schema._COMMON_REGIONS <= phonenumbers.SUPPORTED_REGIONS


def test_region_is_checked_against_phonenumbers_beyond_the_common_ones() -> None:
    assert parse_rules('[team]\nregion = "np"\n', NAME).team.region == "NP"


_DEFAULT_LINES = default_config_text().splitlines(keepends=True)
_TOML_BITS = st.sampled_from(
    ['"', "'", "[", "]", "=", "\n", ",", "{", "}", ".", "#", '"""', "-", "0", "none", "1h", "x"]
)


@st.composite
def mutated_config(draw: st.DrawFn) -> str:
    lines = list(_DEFAULT_LINES)
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "garble", "insert"]))
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "garble":
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            cut = draw(st.integers(0, 5))
            bit = draw(_TOML_BITS | st.text(max_size=6))
            lines[index] = line[:at] + bit + line[at + cut :]
        else:
            lines.insert(index, draw(st.text(max_size=40)) + "\n")
    return "".join(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(mutated_config(), st.text(max_size=200)))
def test_any_text_loads_or_raises_config_error(text: str) -> None:
    try:
        parse_rules(text, NAME)
    except ConfigError as error:
        assert error.line is None or 1 <= error.line <= text.count("\n") + 2
        assert str(error).startswith("callq.toml")
