"""`callq add` gives the lead to the rep adding it, as the TUI's add form does."""

import json


def ok(result) -> str:  # noqa: ANN001
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
    return result.stdout


def owner(cli, lead: str) -> str:  # noqa: ANN001
    return json.loads(ok(cli("show", lead, "--format", "json")))["lead"]["owner"]


def test_a_known_rep_owns_what_they_add(cli):
    ok(cli("add", "--name", "A", "--phone", "9876543210"))  # CALLQ_REP=asha
    ok(cli("--rep", "chen", "add", "--name", "B", "--phone", "9876543211"))
    ok(cli("add", "--name", "C", "--phone", "9876543212", "--owner", "ben"))
    assert [owner(cli, n) for n in ("1", "2", "3")] == ["asha", "chen", "ben"]


def test_round_robin_when_asked_or_when_no_rep_is_known(cli):
    ok(cli("add", "--name", "A", "--phone", "9876543210", "--owner", "round-robin"))
    ok(cli("add", "--name", "B", "--phone", "9876543211", env={"CALLQ_REP": ""}))  # the OS user
    assert [owner(cli, n) for n in ("1", "2")] == ["asha", "ben"]  # asha's turn, then ben's


def test_a_known_number_names_its_lead(cli):
    ok(cli("--rep", "ben", "add", "--name", "Asha Kumar", "--phone", "9876543210"))
    again = cli("add", "--name", "A Kumar", "--phone", "09876543210")
    assert ok(again).strip() == "1"
    assert again.stderr.strip() == (
        "callq: this number is lead 1, Asha Kumar (ben); added the inquiry to its timeline"
    )
    timeline = json.loads(ok(cli("show", "1", "--format", "json")))["timeline"]
    [inquiry] = [e for e in timeline if e["type"] == "inquiry"]
    assert inquiry["name"] == "A Kumar"
    assert "New inquiry via other as A Kumar (asha)" in ok(cli("show", "1"))
