"""A hook removed from the rules file: its waiting events are not delivered, `hooks status`
and `doctor` say so, and `callq hooks drop --hook NAME` discards them with a count."""

from dataclasses import replace

from sqlalchemy import func, select

from callq.rules.model import Hook
from callq.services.leads import NewLead, add_lead
from callq.store.models import outbox_table

STILL_CONFIGURED = '[[hooks]]\nname = "log"\non = ["lead_created"]\ncommand = ["true"]\n'


def pending(db, hook: str) -> int:  # noqa: ANN001
    with db.read() as session:
        statement = select(func.count()).where(
            outbox_table.c.hook == hook, outbox_table.c.delivered_at.is_(None)
        )
        return session.execute(statement).scalar()


def test_events_of_a_removed_hook_wait_are_shown_and_dropped(db, rules, now, cli, tmp_path):
    both = (
        Hook(name="crm", on=frozenset({"lead_created"}), command=("true",)),
        Hook(name="log", on=frozenset({"lead_created"}), command=("true",)),
    )
    for number in ("98450 55601", "98450 55602"):
        add_lead(db, replace(rules, hooks=both), NewLead("Lead", number), now=now, rep="asha")
    config = tmp_path / "callq.toml"
    config.write_text(STILL_CONFIGURED)  # "crm" is gone from the rules file
    env = {"CALLQ_CONFIG": str(config)}

    ran = cli("hooks", "run", env=env)
    assert ran.exit_code == 0 and "delivered 2, failed 0" in ran.stdout
    assert (pending(db, "log"), pending(db, "crm")) == (0, 2)  # nothing delivers crm's

    status = cli("hooks", "status", env=env)
    assert status.exit_code == 0
    assert "hook no longer configured" in status.stdout
    assert "callq hooks drop --hook crm" in status.stdout
    doctor = cli("doctor", env=env)
    assert "hook 'crm' is no longer configured: 2 event(s)" in doctor.stdout + doctor.stderr

    # Refusals change nothing: a hook still configured, a name with nothing waiting.
    kept = cli("hooks", "drop", "--hook", "log", env=env)
    assert kept.exit_code == 2 and "still in the rules file" in kept.stderr
    typo = cli("hooks", "drop", "--hook", "crn", env=env)
    assert typo.exit_code == 2 and "no events are waiting for a hook named 'crn'" in typo.stderr
    assert "(waiting: crm)" in typo.stderr
    assert pending(db, "crm") == 2

    dropped = cli("hooks", "drop", "--hook", "crm", env=env)
    assert (
        dropped.exit_code == 0 and "dropped 2 undelivered event(s) of hook 'crm'" in dropped.stdout
    )
    assert pending(db, "crm") == 0
    assert "nothing pending" in cli("hooks", "status", env=env).stdout


def test_a_configured_hook_backlog_goes_only_with_force(db, rules, now, cli, tmp_path):
    log = Hook(name="log", on=frozenset({"lead_created"}), command=("true",))
    add_lead(db, replace(rules, hooks=(log,)), NewLead("Lead", "98450 55603"), now=now, rep="asha")
    config = tmp_path / "callq.toml"
    config.write_text(STILL_CONFIGURED)
    forced = cli("hooks", "drop", "--hook", "log", "--force", env={"CALLQ_CONFIG": str(config)})
    assert forced.exit_code == 0 and "dropped 1 undelivered event(s)" in forced.stdout
    assert pending(db, "log") == 0
