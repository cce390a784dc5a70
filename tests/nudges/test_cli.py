"""``flask nudges run`` and ``flask nudges completions``."""

from __future__ import annotations

from sqlalchemy import func, select

from engagement.nudges.models import NudgeDelivery
from tests.nudges.helpers import enrol, programme, submission


def _deliveries(db_session):
    return db_session.scalar(select(func.count()).select_from(NudgeDelivery))


def test_run_with_dry_run_and_a_given_now(app, org, db_session):
    enrol(org.learner, programme(offsets=(14,)))  # due 16 March
    db_session.commit()
    cli = app.test_cli_runner()
    dry = cli.invoke(args=["nudges", "run", "--dry-run", "--now", "2026-03-13T10:00",
                           "--kind", "due_soon"])
    assert dry.exit_code == 0, dry.output
    assert "due_soon: 1 due, 1 sent" in dry.output and "dry run" in dry.output
    assert _deliveries(db_session) == 0
    real = cli.invoke(args=["nudges", "run", "--now", "2026-03-13T10:00"])
    assert real.exit_code == 0, real.output
    assert "due_soon: 1 due, 1 sent" in real.output and "overdue: 0 due" in real.output
    assert _deliveries(db_session) == 1
    again = cli.invoke(args=["nudges", "run", "--now", "2026-03-13T11:00"])
    assert "due_soon: 1 due, 0 sent, 1 already sent" in again.output
    quiet = cli.invoke(args=["nudges", "run", "--now", "2026-03-13T10:00", "--kind", "overdue"])
    assert "due_soon" not in quiet.output


def test_run_refuses_a_bad_now(app, db_session):
    result = app.test_cli_runner().invoke(args=["nudges", "run", "--now", "yesterday"])
    assert result.exit_code != 0 and "not an ISO date-time" in result.output


def test_completions_sweep(app, org, db_session):
    prog = programme()
    enrolment = enrol(org.learner, prog)
    submission(org.learner, prog.checkpoints[0], "approved")
    db_session.commit()
    cli = app.test_cli_runner()
    assert "1 enrolments completed, 0 completions cleared (dry run)" in cli.invoke(
        args=["nudges", "completions", "--dry-run"]).output
    assert enrolment.completed_at is None
    assert "1 enrolments completed" in cli.invoke(args=["nudges", "completions"]).output
    db_session.refresh(enrolment)
    assert enrolment.status == "completed"
