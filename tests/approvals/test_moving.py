"""Escalation after N working days, reassignment when the org chart changes."""

from __future__ import annotations

import datetime as dt

from freezegun import freeze_time
from sqlalchemy import select

from approvals import operations
from approvals.models import ApprovalStep
from approvals.workdays import add_working_days
from clearance.audit import AuditEvent
from clearance.mail import OutboxMessage
from people import operations as people_ops
from tests.approvals.factories import pending_step, submitted

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_working_days_skip_weekends():
    assert add_working_days(MONDAY, 10) == MONDAY + dt.timedelta(days=14)
    friday = MONDAY + dt.timedelta(days=4)
    assert add_working_days(friday, 1) == MONDAY + dt.timedelta(days=7)
    saturday = MONDAY + dt.timedelta(days=5)
    assert add_working_days(saturday, 1).weekday() == 1  # counts from Monday: Tuesday


def test_escalation_timeline(org, db_session):
    with freeze_time(MONDAY):
        step = submitted(org.learner)
    assert step.escalate_at.replace(tzinfo=dt.UTC) == MONDAY + dt.timedelta(days=14)
    with freeze_time(MONDAY + dt.timedelta(days=13)):
        assert operations.escalate_due() == []
    with freeze_time(MONDAY + dt.timedelta(days=14)):
        dry = operations.escalate_due(dry_run=True)
        assert [(m.from_name, m.to_name) for m in dry] == [("Lin Manager", "Sky Level")]
        assert pending_step(step.submission_id).id == step.id  # dry run moved nothing
        moves = operations.escalate_due()
    assert [(m.from_name, m.to_name) for m in moves] == [("Lin Manager", "Sky Level")]
    second = pending_step(step.submission_id)
    assert second.approver_id == org.skip.id and second.escalations == 1
    assert db_session.get(ApprovalStep, step.id).status == "escalated"
    mails = {m.to_address for m in db_session.scalars(select(OutboxMessage))
             if m.subject.startswith("Escalated")}
    assert mails == {org.line.email, org.skip.email}  # both are told
    with freeze_time(MONDAY + dt.timedelta(days=28)):
        operations.escalate_due()
    third = pending_step(step.submission_id)
    assert third.approver_id == org.md.id and third.escalations == 2
    with freeze_time(MONDAY + dt.timedelta(days=42)):
        operations.escalate_due()
    assert pending_step(step.submission_id).approver_id == org.ld.id  # the top approver
    with freeze_time(MONDAY + dt.timedelta(days=56)):
        moves = operations.escalate_due()
    assert moves[0].to_name is None  # nowhere higher: it stays
    assert pending_step(step.submission_id).approver_id == org.ld.id


def test_escalate_cli(app, org, db_session):
    with freeze_time(MONDAY):
        submitted(org.learner)
        db_session.commit()
    runner = app.test_cli_runner()
    with freeze_time(MONDAY + dt.timedelta(days=15)):
        result = runner.invoke(args=["approvals", "escalate", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Lin Manager -> Sky Level" in result.output and "would move" in result.output


def test_manager_change_moves_pending_level_one(org, db_session):
    step = submitted(org.learner)
    people_ops.update_person(org.learner, manager=org.unrelated, reason="moved ward")
    moved = pending_step(step.submission_id)
    assert moved.approver_id == org.unrelated.id
    assert moved.reason.startswith("line manager changed")
    assert db_session.get(ApprovalStep, step.id).status == "reassigned"
    assert db_session.scalar(select(AuditEvent).where(
        AuditEvent.action == "approval.step_reassigned")).reason.startswith("line manager")


def test_deactivated_approver_moves_up_one_level(org, db_session):
    step = submitted(org.learner)
    people_ops.deactivate(org.line, reason="left the trust")
    moved = pending_step(step.submission_id)
    assert moved.approver_id == org.skip.id
    assert "deactivated" in moved.reason
