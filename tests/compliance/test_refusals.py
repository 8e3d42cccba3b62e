"""Every compliance refusal: exit 2, one line saying why, and not a row changed (both
backends). Intake answers 409 through the same refusal."""

import pytest
from tests.compliance.conftest import MEERA


def test_every_refusal_exits_2_says_why_and_changes_nothing(ccli, leads, desk, dump):
    cases = [
        # A listed number is never added again: since when and why.
        (
            ("add", "--name", "Meera again", "--phone", "98450 00003"),
            ["do-not-call list since Mon 23 Nov 10:00", "asked on the call", "by asha"],
        ),
        (("dial", leads.meera), ["Meera Iyer", "do-not-call", "not dialled"]),
        # Outside the lead's window, in the lead's own time, and when it opens.
        (
            ("dial", leads.dana),
            ["it is Sun 23:30 for Dana Smith (America/New_York)", "opens Mon 23 Nov 09:00"],
        ),
        (("dial", leads.dana, "--dry-run"), ["it is Sun 23:30", "not dialled"]),
        (("dial", leads.dana, "--force"), ["--force needs --reason"]),
        (("dnc", "add", MEERA), ["already"]),
        (("dnc", "remove", MEERA), ["--reason"]),
        (("dnc", "remove", "98450 00099", "--reason", "x"), ["not on the do-not-call list"]),
        (("message", leads.ravi), ["next touch is a call"]),
        (("message", leads.meera), ["do-not-call", "no message sent"]),
    ]
    before = dump()
    for args, words in cases:
        result = ccli(*args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        for word in words:
            assert word in result.stderr, (args, result.stderr)
        assert dump() == before, args
    assert desk.ran(desk.dialled) == [] and desk.ran(desk.sent) == []


@pytest.mark.filterwarnings("ignore:Using `httpx`")
def test_intake_answers_409_for_a_listed_number(db, desk, leads, now, dump):
    from starlette.testclient import TestClient

    from callq.serve.app import Intake, build_app

    before = dump()
    client = TestClient(build_app(Intake(db, desk.rules, "intake", "tok", lambda: now)))
    response = client.post(
        "/leads",
        json={"name": "Meera", "phone": "+91 98450 00003"},
        headers={"Authorization": "Bearer tok"},
    )
    assert response.status_code == 409
    assert "do-not-call list since" in response.json()["error"]
    assert dump() == before
