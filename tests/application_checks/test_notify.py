"""Due notices: the line manager is told once when a check comes due (notification + one
e-mail per run), never again on a rerun; a new line manager is told once too."""

from __future__ import annotations

import datetime as dt

from freezegun import freeze_time
from sqlalchemy import func, select

from clearance.mail import OutboxMessage
from clearance.notifications import Notification
from engagement.application import operations as ops
from engagement.application.models import ApplicationCheck
from people.operations import update_person
from tests.application_checks.helpers import approved_check


def _count(model, **where):
    stmt = select(func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    from clearance.extensions import db

    return db.session.scalar(stmt)


def test_told_once_when_it_comes_due(org, db_session):
    with freeze_time("2030-01-10 09:00:00"):
        check = approved_check(org.learner)
        approved_check(org.learner, title="Second checkpoint")
    with freeze_time("2030-03-10 07:10:00"):
        assert ops.notify_due() == []
    with freeze_time("2030-03-11 07:10:00"):
        preview = ops.notify_due(dry_run=True)
        assert [len(n.checks) for n in preview] == [2]
        assert _count(Notification, kind="application_check.due") == 0
        notices = ops.notify_due()
    assert [(n.manager_id, len(n.checks)) for n in notices] == [(org.line.id, 2)]
    assert _count(Notification, kind="application_check.due", person_id=org.line.id) == 2
    mails = db_session.scalars(select(OutboxMessage)
                               .where(OutboxMessage.to_address == org.line.email)).all()
    assert len(mails) == 1 and mails[0].subject == "2 application checks to answer"
    assert f"http://clearance.test/application-checks/{check.id}" in mails[0].body_text
    db_session.expire_all()
    assert db_session.get(ApplicationCheck, check.id).notified_manager_id == org.line.id
    with freeze_time("2030-03-12 07:10:00"):
        assert ops.notify_due() == []  # a rerun sends nothing
    assert _count(Notification, kind="application_check.due") == 2
    assert _count(OutboxMessage, to_address=org.line.email) == 1


def test_answered_checks_are_not_announced(org, db_session):
    with freeze_time("2030-01-10 09:00:00"):
        check = approved_check(org.learner)
    with freeze_time("2030-03-20 07:10:00"):
        ops.answer(check, org.line, ops.Answer("yes"))
        assert ops.notify_due() == []


def test_a_new_line_manager_is_told_once(org, db_session):
    with freeze_time("2030-01-10 09:00:00"):
        check = approved_check(org.learner)
    with freeze_time("2030-03-11 07:10:00"):
        ops.notify_due()
        update_person(org.learner, manager=org.unrelated)
        notices = ops.notify_due()
        assert [n.manager_id for n in notices] == [org.unrelated.id]
        assert ops.notify_due() == []
    assert _count(Notification, kind="application_check.due", person_id=org.unrelated.id) == 1
    assert _count(Notification, kind="application_check.due", person_id=org.line.id) == 1
    db_session.expire_all()
    assert db_session.get(ApplicationCheck, check.id).notified_manager_id == org.unrelated.id


def test_the_cli_lists_and_notifies(app, org, db_session):
    check = approved_check(org.learner)
    check.due_on = dt.date.today() - dt.timedelta(days=1)
    db_session.commit()
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["application-checks", "due", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Lin Manager about Lea Learner" in dry.output and "1 check(s) would be" in dry.output
    assert _count(Notification, kind="application_check.due") == 0
    real = runner.invoke(args=["application-checks", "due"])
    assert real.exit_code == 0 and "1 check(s) notified to 1 manager(s)" in real.output
    again = runner.invoke(args=["application-checks", "due"])
    assert "0 check(s) notified" in again.output


def test_the_periodic_job_runs_the_same(org, db_session):
    from engagement.application.tasks import notify_due_checks

    check = approved_check(org.learner)
    check.due_on = dt.date.today()
    db_session.flush()
    assert notify_due_checks.call_local() == 1
    assert notify_due_checks.call_local() == 0
