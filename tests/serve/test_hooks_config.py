"""`[[hooks]]` and `[intake]` in the rules file (file:line errors), the retry schedule, the
token `serve` needs."""

from datetime import UTC, datetime, timedelta

import pytest

from callq.config.loading import ConfigError, parse_rules
from callq.errors import UserError
from callq.rules.delivery import FAILING_TOO_LONG, LONGEST_WAIT, failing_too_long, retry_at

GOOD = """
[intake]
token_file = "~/.config/callq/intake-token"
google_key = "g"

[[hooks]]
on = ["lead_created", "outcome_logged"]
command = ["/usr/local/bin/to-crm", "--json"]

[[hooks]]
name = "zapier"
on = ["lead_reassigned"]
url = "https://hooks.zapier.com/hooks/catch/1/abc/"
secret = "s3"
timeout = 5
"""


def test_hooks_and_intake_are_read(tmp_path):
    rules = parse_rules(GOOD, tmp_path / "callq.toml")
    first, zapier = rules.hooks
    assert first.name == "/usr/local/bin/to-crm --json"  # named by what it runs
    assert first.on == {"lead_created", "outcome_logged"} and first.url is None
    assert (zapier.name, zapier.secret, zapier.timeout) == ("zapier", "s3", timedelta(seconds=5))
    assert rules.intake.google_key == "g"
    assert rules.intake.token_file == "~/.config/callq/intake-token"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('[[hooks]]\non = ["lead_made"]\ncommand = ["x"]\n', 2, "hooks.1.on: unknown event"),
        ('[[hooks]]\non = ["lead_created"]\n', 1, "a hook needs either command"),
        ('[[hooks]]\non = ["lead_created"]\ncommand = ["x"]\nurl = "https://a"\n', 1, "either"),
        ('[[hooks]]\non = []\ncommand = ["x"]\n', 2, "at least one event"),
        ('[[hooks]]\non = ["lead_created"]\nurl = "ftp://x"\n', 3, "http(s) URL"),
        ('[[hooks]]\non = ["lead_created"]\ncommand = ["x"]\ntimeout = 900\n', 4, "1 to 300"),
        ('[[hooks]]\non = ["lead_created"]\ncommand = ["x"]\n\n[[hooks]]\non = ["lead_created"]\n'
         'commnd = ["y"]\n', 7, "hooks.2.commnd: unknown key"),
        ('[[hooks]]\nname = "a"\non = ["lead_created"]\ncommand = ["x"]\n[[hooks]]\nname = "a"\n'
         'on = ["lead_created"]\ncommand = ["y"]\n', 6, "a hook named 'a' exists above"),
        ('[intake]\ngoogle_key = ""\n', 2, "intake.google_key: must not be empty"),
        ('[intake]\ntoken = "x"\n', 2, "unknown key 'token'"),
        ('[hooks]\non = ["lead_created"]\n', 1, "must be an array of tables"),
    ],
)  # fmt: skip
def test_hook_mistakes_name_the_file_and_line(tmp_path, text, line, message):
    with pytest.raises(ConfigError) as raised:
        parse_rules(text, tmp_path / "callq.toml")
    assert raised.value.line == line
    assert message in str(raised.value)


def test_retries_back_off_to_an_hour_and_never_give_up():
    now = datetime(2026, 12, 1, tzinfo=UTC)
    waits = [retry_at(failures, now) - now for failures in range(1, 14)]
    assert waits[:4] == [timedelta(seconds=s) for s in (5, 10, 20, 40)]
    assert waits == sorted(waits) and waits[-1] == LONGEST_WAIT
    assert retry_at(10_000, now) - now == LONGEST_WAIT
    assert not failing_too_long(None, now)
    assert not failing_too_long(now - FAILING_TOO_LONG + timedelta(seconds=1), now)
    assert failing_too_long(now - FAILING_TOO_LONG, now)


def test_serve_needs_a_token_from_the_environment_or_a_private_file(tmp_path):
    from callq.config.loading import load_default_rules
    from callq.serve.runner import intake_token

    rules = parse_rules(f'[intake]\ntoken_file = "{tmp_path / "token"}"\n', tmp_path / "c.toml")
    with pytest.raises(UserError, match="CALLQ_INTAKE_TOKEN"):
        intake_token(load_default_rules(), {})
    assert intake_token(load_default_rules(), {"CALLQ_INTAKE_TOKEN": " t0k "}) == "t0k"
    with pytest.raises(UserError, match="cannot read"):
        intake_token(rules, {})
    token = tmp_path / "token"
    token.write_text("from-file\n")
    token.chmod(0o644)
    with pytest.raises(UserError, match="chmod 600"):
        intake_token(rules, {})
    token.chmod(0o600)
    assert intake_token(rules, {}) == "from-file"


def test_serve_without_a_token_exits_2_naming_the_variable(cli):
    result = cli("serve", "--port", "1", env={"CALLQ_INTAKE_TOKEN": ""})
    assert result.exit_code == 2
    assert "CALLQ_INTAKE_TOKEN" in result.stderr
    assert result.stderr.count("\n") == 1


def test_serve_on_a_port_in_use_exits_2_in_one_line(cli):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("serve", "--port", port, env={"CALLQ_INTAKE_TOKEN": "t"})
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
