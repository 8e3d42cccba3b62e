"""Who gets a lead and what an escalation does: availability, [[routing]], escalate once,
the pool and its claims, blame after an escalation moves a lead (both backends)."""

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from callq.config.loading import ConfigError, parse_rules
from callq.errors import Conflict
from callq.rules.routing import LeadFacts, weighted_cycle
from callq.services.claims import claim_lead, next_lead
from callq.services.escalation import escalate_due
from callq.services.leads import NewLead, add_lead
from callq.services.queue import QueueReader
from callq.store.models import Event, FollowUp, Lead, Rep, outbox_table

# A web lead added at the tests' NOW (10:00 IST) is due 10:15 and escalates at 11:15.
ESCALATES = timedelta(hours=1, minutes=15)

ROUTING = """
[[routing]]
when = {source = "web", interest = "loans"}
to = ["asha", "ben"]
weights = {asha = 2}

[[routing]]
when = {urgency = "high"}
to = ["chen", "ben"]
max_open = 1
"""

HOOKS = """
[[hooks]]
on = ["lead_escalated", "lead_reassigned"]
command = ["true"]
"""


def rules_with(tmp_path: Path, text: str):  # noqa: ANN201
    return parse_rules(text, tmp_path / "callq.toml")


def add(db, rules, now, number: int, **fields) -> str:  # noqa: ANN001
    """A lead without a chosen owner; returns the owner it got (None: nobody)."""
    new = NewLead(name=f"Lead {number}", phone=f"98450{number:05d}", **fields)
    return add_lead(db, rules, new, now=now, rep="intake").owner


def owner_names(db, lead_id: int) -> tuple:  # noqa: ANN001
    """(lead owner, open follow-up owner, sla_owner) as names."""
    with db.read() as session:
        names = {rep.id: rep.name for rep in session.exec(select(Rep))}
        lead = session.get(Lead, lead_id)
        followup = session.exec(
            select(FollowUp).where(FollowUp.lead_id == lead_id, FollowUp.status == "open")
        ).one()
        return (
            names.get(lead.owner_id),
            names.get(followup.owner_id),
            names.get(lead.sla_owner_id),
        )


def events(db, lead_id: int, kind: str) -> list[dict]:  # noqa: ANN001
    with db.read() as session:
        rows = session.exec(select(Event).where(Event.lead_id == lead_id, Event.type == kind))
        return [json.loads(row.detail) for row in rows]


def test_a_weighted_rotation_is_spread_out():
    assert weighted_cycle(("asha", "ben"), {"asha": 2}) == ("asha", "ben", "asha")
    assert weighted_cycle(("a", "b", "c"), {}) == ("a", "b", "c")
    assert weighted_cycle(("a", "b"), {"a": 3, "b": 2}) == ("a", "b", "a", "b", "a")


def test_routing_order_weights_and_the_team_rotation(db, now, tmp_path):
    rules = rules_with(tmp_path, ROUTING)
    loans = [add(db, rules, now, n, source="web", interest="Loans") for n in range(6)]
    assert loans == ["asha", "ben", "asha", "asha", "ben", "asha"]
    # No rule matches: [team] reps in turn, as round-robin always did.
    others = [add(db, rules, now, n, source="phone") for n in range(10, 14)]
    assert others == ["asha", "ben", "chen", "asha"]


def test_max_open_skips_a_full_rep_and_a_rule_nobody_can_take_falls_to_the_team(db, now, tmp_path):
    rules = rules_with(tmp_path, ROUTING)
    high = [add(db, rules, now, n, source="phone", urgency="high") for n in range(3)]
    # chen, then ben (chen has 1 open), then both are full: the team rotation decides.
    assert high == ["chen", "ben", "asha"]


def test_away_reps_are_skipped_until_they_are_back(db, now, tmp_path, cli):
    rules = rules_with(tmp_path, ROUTING)
    (tmp_path / "callq.toml").write_text(ROUTING)
    env = {"CALLQ_CONFIG": str(tmp_path / "callq.toml")}
    assert cli("rep", "away", "asha", "--until", "in 2h", env=env).exit_code == 0
    loans = [add(db, rules, now, n, source="web", interest="loans") for n in range(3)]
    assert loans == ["ben", "ben", "ben"]
    assert [add(db, rules, now, n, source="phone") for n in range(10, 13)] == [
        "ben",
        "chen",
        "ben",
    ]
    # Past --until she is back by herself; `rep back` ends an open-ended absence.
    assert add(db, rules, now + timedelta(hours=2), 20, source="web", interest="loans") == "asha"
    assert cli("rep", "away", "ben", env=env).exit_code == 0
    later = {**env, "CALLQ_NOW": (now + timedelta(hours=2)).isoformat()}
    listed = json.loads(cli("rep", "list", "--format", "json", env=later).stdout)
    away = {rep["name"]: rep["away"] for rep in listed["reps"]}
    assert away["ben"] is True and away["asha"] is False
    assert {rep["name"]: rep["open_followups"] for rep in listed["reps"]}["ben"] == 5
    assert cli("rep", "back", "ben", env=env).exit_code == 0
    simulated = cli("rules", "simulate", "--route", "source=web", "interest=loans", env=env)
    assert simulated.exit_code == 0 and "[[routing]] #1 matches" in simulated.stdout
    shown = cli("rules", "show", env=env).stdout
    assert "Routing #1: source = web, interest = loans -> asha x2, ben" in shown
    assert "Routing #2: urgency = high -> chen, ben (max_open 1)" in shown
    assert "Escalation: flag" in shown
    refused = cli("rep", "away", "nobody-known", env=env)
    assert refused.exit_code == 2 and "no rep called" in refused.stderr


def test_escalation_reassigns_once_and_blame_stays_with_the_owner(db, now, tmp_path):
    rules = rules_with(tmp_path, '[escalation]\naction = "reassign"\n' + HOOKS)
    lead_id = add_lead(
        db, rules, NewLead("Ravi", "9845000001", source="web", owner="asha"), now=now, rep="asha"
    ).lead_id
    assert escalate_due(db, rules, now + ESCALATES - timedelta(minutes=1)).escalated == ()
    run = escalate_due(db, rules, now + ESCALATES)
    assert [(e.lead_id, e.from_rep, e.to_rep, e.moved) for e in run.escalated] == [
        (lead_id, "asha", "ben", True)
    ]
    # Re-running changes nothing.
    assert escalate_due(db, rules, now + ESCALATES + timedelta(hours=3)).escalated == ()
    # The open follow-up moved with the lead; the SLA miss stays asha's.
    assert owner_names(db, lead_id) == ("ben", "ben", "asha")
    assert [e["action"] for e in events(db, lead_id, "escalated")] == ["reassign"]
    assert events(db, lead_id, "reassigned") == [
        {"from": "asha", "to": "ben", "reason": "escalated"}
    ]
    with db.read() as session:
        types = sorted(row.type for row in session.execute(select(outbox_table)))
    assert types == ["lead_escalated", "lead_reassigned"]


def test_flag_is_todays_behaviour(db, now, rules):
    lead_id = add_lead(
        db, rules, NewLead("Ravi", "9845000001", source="web", owner="asha"), now=now, rep="asha"
    ).lead_id
    run = escalate_due(db, rules, now + ESCALATES)
    assert [(e.moved, e.to_rep) for e in run.escalated] == [(False, "asha")]
    assert owner_names(db, lead_id) == ("asha", "asha", None)
    assert events(db, lead_id, "reassigned") == []


ESCALATE_IN_ANOTHER_PROCESS = """
import sys
from datetime import datetime
from callq.config.loading import load_rules
from callq.services.escalation import escalate_due
from callq.store.db import open_database

db = open_database(sys.argv[1])
run = escalate_due(db, load_rules(sys.argv[2]), datetime.fromisoformat(sys.argv[3]))
print(len(run.escalated))
"""


def test_two_parallel_runs_escalate_each_lead_once(db, db_target, now, tmp_path):
    text = '[escalation]\naction = "reassign"\nto = "pool"\n'
    rules = rules_with(tmp_path, text)
    (tmp_path / "callq.toml").write_text(text)
    ids = [
        add_lead(
            db, rules, NewLead(f"L{n}", f"98451{n:05d}", source="web"), now=now, rep="x"
        ).lead_id
        for n in range(30)
    ]
    at, config = (now + ESCALATES).isoformat(), tmp_path / "callq.toml"
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", ESCALATE_IN_ANOTHER_PROCESS, db_target, str(config), at],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    counts = []
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        counts.append(int(out))
    assert sum(counts) == 30
    with db.read() as session:
        by_type = [(row.type, row.lead_id) for row in session.exec(select(Event))]
    escalated = sorted(lead for kind, lead in by_type if kind == "escalated")
    moved = sorted(lead for kind, lead in by_type if kind == "reassigned")
    assert escalated == moved == sorted(ids)


def test_a_pool_lead_is_in_every_reps_new_and_one_claim_wins(db, now, tmp_path):
    rules = rules_with(tmp_path, '[escalation]\naction = "reassign"\nto = "pool"\n')
    lead_id = add_lead(
        db, rules, NewLead("Ravi", "9845000001", source="web", owner="asha"), now=now, rep="asha"
    ).lead_id
    at = now + ESCALATES
    assert [e.to_rep for e in escalate_due(db, rules, at).escalated] == [None]
    for rep in ("ben", "chen"):
        reader = QueueReader(db, rules, rep=rep, now=at)
        assert [item.lead_id for item in reader.page("new")] == [lead_id]
        assert reader.counts()["new"] == 1
    assert claim_lead(db, rules, str(lead_id), rep="ben", now=at).holder == "ben"
    with pytest.raises(Conflict):
        claim_lead(db, rules, str(lead_id), rep="chen", now=at)
    assert owner_names(db, lead_id)[:2] == ("ben", "ben")
    assert QueueReader(db, rules, rep="chen", now=at).counts()["new"] == 0
    assert events(db, lead_id, "reassigned")[-1] == {
        "from": None,
        "to": "ben",
        "reason": "claimed from the pool",
    }


def test_callq_next_takes_a_pool_lead_for_one_rep_only(db, now, tmp_path):
    rules = rules_with(tmp_path, '[escalation]\naction = "reassign"\nto = "pool"\n')
    lead_id = add_lead(
        db, rules, NewLead("Ravi", "9845000001", source="web", owner="asha"), now=now, rep="asha"
    ).lead_id
    at = now + ESCALATES
    escalate_due(db, rules, at)
    assert next_lead(db, rules, rep="chen", now=at).lead_id == lead_id
    assert next_lead(db, rules, rep="ben", now=at) is None
    assert owner_names(db, lead_id)[0] == "chen"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('[[routing]]\nto = ["asha"]\nweights = {ben = 2}\n', 3, "routing.1.weights.ben"),
        ('[[routing]]\nwhen = {source = "fax"}\nto = ["asha"]\n', 2, "not one of"),
        ('[[routing]]\nwhen = {colour = "red"}\nto = ["a"]\n', 2, "unknown key 'colour'"),
        ('[[routing]]\nto = ["a"]\n\n[[routing]]\nto = []\nmax_open = 1\n', 5, "routing.2.to"),
        ('[[routing]]\nto = ["a"]\nmax_open = 0\n', 3, "routing.1.max_open"),
        ('[escalation]\naction = "shout"\n', 2, "escalation.action"),
        ('[escalation]\nto = "pool"\n', 2, 'only means something with action = "reassign"'),
        ('[escalation]\nnotify = ["not a url"]\n', 2, "escalation.notify"),
        ("[escalation]\ncommand = []\n", 2, "escalation.command"),
    ],
)
def test_bad_routing_and_escalation_name_the_file_and_line(tmp_path, text, line, message):
    with pytest.raises(ConfigError) as raised:
        parse_rules(text, tmp_path / "callq.toml")
    assert raised.value.line == line
    assert message in str(raised.value)


def test_rules_check_reports_file_and_line(tmp_path, cli):
    path = tmp_path / "callq.toml"
    path.write_text('[[routing]]\nto = ["asha"]\nweights = {ben = 2}\n')
    result = cli("rules", "check", str(path))
    assert result.exit_code == 2
    assert f"{path}:3: routing.1.weights.ben" in result.stderr


def test_routing_facts_match_interest_without_case(tmp_path):
    from callq.rules.routing import matches

    rule = rules_with(tmp_path, ROUTING).routing[0]
    assert matches(rule, LeadFacts(source="web", interest=" LOANS "))
    assert not matches(rule, LeadFacts(source="phone", interest="loans"))


def test_import_routes_each_row_by_its_facts(db, tmp_path, cli):
    (tmp_path / "callq.toml").write_text(ROUTING)
    (tmp_path / "leads.csv").write_text(
        "name,phone,source,interest\n"
        "A,9845100001,web,loans\nB,9845100002,web,loans\nC,9845100003,phone,\n"
        "D,9845100004,web,loans\n"
    )
    env = {"CALLQ_CONFIG": str(tmp_path / "callq.toml")}
    done = cli("import", str(tmp_path / "leads.csv"), env=env)
    assert done.exit_code == 0, done.stderr
    with db.read() as session:
        names = {rep.id: rep.name for rep in session.exec(select(Rep))}
        owners = {lead.name: names.get(lead.owner_id) for lead in session.exec(select(Lead))}
    assert owners == {"A": "asha", "B": "ben", "C": "asha", "D": "asha"}


def test_escalation_tells_its_command_once_and_a_missing_apprise_is_said(
    db, now, tmp_path, monkeypatch
):
    heard = tmp_path / "heard.jsonl"
    script = f"import sys; open({str(heard)!r}, 'a').write(sys.stdin.read() + '\\n')"
    command = json.dumps([sys.executable, "-c", script])
    text = f'[escalation]\nnotify = ["tgram://token/chat"]\ncommand = {command}\n'
    rules = rules_with(tmp_path, text)
    add_lead(
        db, rules, NewLead("Ravi", "9845000001", source="web", owner="asha"), now=now, rep="asha"
    )
    monkeypatch.setitem(sys.modules, "apprise", None)  # not installed: `import apprise` fails
    run = escalate_due(db, rules, now + ESCALATES)
    assert run.notify_problems == (
        "[escalation] notify needs apprise: pip install 'callq[notify]'",
    )
    assert escalate_due(db, rules, now + ESCALATES + timedelta(hours=1)).escalated == ()
    lines = heard.read_text().splitlines()
    assert [json.loads(line)["escalated"][0]["name"] for line in lines] == ["Ravi"]


def test_rep_list_shows_the_team_not_every_name_that_acted(db, now, cli):
    add(db, parse_rules("", Path("x.toml")), now, 1, source="phone")  # added by "intake"
    listed = json.loads(cli("rep", "list", "--format", "json").stdout)
    assert [rep["name"] for rep in listed["reps"]] == ["asha", "ben", "chen"]
    assert listed["pool"] == 0
