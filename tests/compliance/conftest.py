"""Fixtures for compliance and channels: rules with a calling window, message touches,
templates and commands that leave a trace, and a few leads in two timezones."""

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

# Mon 23 Nov 2026 10:00 in Asia/Kolkata is Sun 22 Nov 23:30 in New York.
RULES = """
[team]
timezone = "Asia/Kolkata"
region = "IN"
reps = ["asha", "ben"]
name = "Acme"

[cadence]
touches = ["0m", "4h whatsapp:intro", "1d", "2d email:last", "5d"]
reopen_after = "30d"

[compliance]
call_window = "09:00-21:00"
sun = "closed"

[templates.intro]
text = "Hi {first_name}, this is {rep} from {team}."

[templates.last]
text = "Last note, {first_name}"
subject = "About {interest}"

[channels.whatsapp]
command = [PYTHON, "-c", WRITE, "SENT", "https://wa.me/{phone_digits}?text={text_url}"]

[dial]
command = [PYTHON, "-c", WRITE, "DIALLED", "{phone}"]
"""
# Appends its second argument to the file named by its first: what ran, and with what.
WRITE = "import sys; open(sys.argv[1], 'a').write(sys.argv[2] + chr(10))"


@dataclass
class Desk:
    """The rules file and what ran: `sent` (the whatsapp command), `dialled` (the dial)."""

    path: Path
    rules: object
    sent: Path
    dialled: Path

    def ran(self, which: Path) -> list[str]:
        return which.read_text().splitlines() if which.exists() else []


def write_rules(directory: Path, text: str = RULES) -> Desk:
    from callq.config.loading import parse_rules

    sent, dialled = directory / "sent.txt", directory / "dialled.txt"
    text = (
        text.replace("PYTHON", repr(sys.executable).replace("'", '"'))
        .replace("WRITE", '"' + WRITE.replace('"', '\\"') + '"')
        .replace('"SENT"', f'"{sent}"')
        .replace('"DIALLED"', f'"{dialled}"')
    )
    path = directory / "callq.toml"
    path.write_text(text)
    return Desk(path, parse_rules(text, path), sent, dialled)


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return write_rules(tmp_path)


@pytest.fixture
def ccli(cli, desk: Desk):  # noqa: ANN001, ANN201
    """The `cli` fixture on the compliance rules."""
    cli.env["CALLQ_CONFIG"] = str(desk.path)
    return cli


@dataclass
class Leads:
    ravi: int  # +91, Asia/Kolkata: inside his window at NOW
    dana: int  # +1 212, America/New_York: Sunday 23:30 at NOW
    meera: int  # +91, her number on the do-not-call list


MEERA = "+919845000003"


@pytest.fixture
def leads(db, desk: Desk, now) -> Leads:  # noqa: ANN001
    from callq.services.dnc import add_number
    from callq.services.leads import NewLead, add_lead

    def add(name: str, phone: str, **fields) -> int:
        new = NewLead(name=name, phone=phone, owner="asha", **fields)
        return add_lead(db, desk.rules, new, now=now, rep="asha").lead_id

    made = Leads(
        add("Ravi Kumar", "98450 00001", email="ravi@example.com", interest="solar"),
        add("Dana Smith", "+1 212 736 5000"),
        add("Meera Iyer", MEERA),
    )
    add_number(db, desk.rules, MEERA, reason="asked on the call", by="asha", now=now)
    return made
