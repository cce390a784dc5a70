"""A check is scheduled at the final approval of a summative checkpoint: days from the
checkpoint, else the setting; 0 means none; it opens for the line manager on its due date."""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from approvals.models import Decision
from checkpoints import operations as checkpoint_ops
from clearance.audit import AuditEvent
from engagement.application import queries
from engagement.application.models import ApplicationCheck
from tests.application_checks.helpers import approved, approved_check, check_of
from tests.approvals.factories import pending_step, submitted
from tests.spot_checks.factories import decide


def test_default_days_come_from_the_setting(org, db_session):
    with freeze_time("2030-01-10 09:00:00"):
        check = approved_check(org.learner)
    assert check.days == 60 and check.due_on == dt.date(2030, 3, 11)
    assert check.manager_id == org.line.id and check.learner_id == org.learner.id
    decision = db_session.get(Decision, check.decision_id)
    assert decision.outcome == "approved" and decision.submission_id == check.submission_id
    assert check.programme_id == check.checkpoint.programme_id
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "application_check.scheduled")) == 1


def test_the_setting_changes_the_default(app, org, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "APPLICATION_CHECK_DAYS", 21)
    with freeze_time("2030-01-10 09:00:00"):
        check = approved_check(org.learner)
    assert check.days == 21 and check.due_on == dt.date(2030, 1, 31)


def test_the_checkpoint_sets_its_own_days(app, org, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "APPLICATION_CHECK_DAYS", 0)  # the checkpoint wins
    with freeze_time("2030-01-10 09:00:00"):
        check = approved_check(org.learner, days=30)
    assert check.days == 30 and check.due_on == dt.date(2030, 2, 9)


def test_zero_days_means_no_check(org, db_session):
    submission = approved(org.learner, days=0)
    assert submission.state == "approved" and check_of(submission.id) is None


def test_setting_zero_means_no_check_by_default(app, org, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "APPLICATION_CHECK_DAYS", 0)
    assert check_of(approved(org.learner).id) is None


def test_only_the_final_level_schedules_it(org, db_session):
    step = submitted(org.learner, levels=2)
    decide(step, step.approver)
    assert check_of(step.submission_id) is None  # level 1 approved, level 2 still to decide
    level2 = pending_step(step.submission_id)
    decide(level2, level2.approver)
    check = check_of(step.submission_id)
    assert check is not None and db_session.get(Decision, check.decision_id).level == 2


def test_changes_requested_schedules_nothing(org, db_session):
    step = submitted(org.learner)
    decide(step, step.approver, outcome="changes_requested", positions=0)
    assert check_of(step.submission_id) is None


def test_formative_work_has_no_check(org, db_session):
    from portfolios import operations as portfolio_ops
    from tests.portfolios import factories as pf

    prog = pf.programme(title="Formative only")
    cp = pf.checkpoint(prog, kind="formative")
    pf.enrol(org.learner, prog)
    submission = portfolio_ops.start_submission(org.learner, cp)
    portfolio_ops.save_reflection(org.learner, cp, "What I tried this week.")
    portfolio_ops.submit(submission, org.learner, expected_version=0)
    portfolio_ops.approve(submission, by=org.line, reason="formative feedback given")
    assert submission.state == "approved" and check_of(submission.id) is None


def test_one_check_per_submission_even_when_approved_again(org, db_session):
    from portfolios import operations as portfolio_ops

    submission = approved(org.learner)
    portfolio_ops.reopen(submission, by=org.ld, reason="spot-check")
    portfolio_ops.save_reflection(org.learner, submission.checkpoint, "More evidence.")
    portfolio_ops.submit(submission, org.learner, expected_version=submission.version_count)
    step = pending_step(submission.id)
    decide(step, step.approver)
    assert db_session.scalar(select(func.count()).select_from(ApplicationCheck).where(
        ApplicationCheck.submission_id == submission.id)) == 1


def test_it_opens_for_the_line_manager_on_its_due_date(org, db_session):
    with freeze_time("2030-01-10 09:00:00"):
        check = approved_check(org.learner)
    day_before, due = dt.date(2030, 3, 10), dt.date(2030, 3, 11)
    assert queries.open_for(org.line.id, day_before) == []
    assert [c.id for c in queries.coming_up_for(org.line.id, day_before)] == [check.id]
    assert [c.id for c in queries.open_for(org.line.id, due)] == [check.id]
    assert queries.open_count(org.line.id, due) == 1
    assert queries.open_for(org.unrelated.id, due) == []
    assert queries.open_for(org.skip.id, due) == []


def test_it_follows_the_learner_to_a_new_line_manager(org, db_session):
    from people.operations import update_person

    with freeze_time("2030-01-10 09:00:00"):
        check = approved_check(org.learner)
    update_person(org.learner, manager=org.unrelated)
    due = dt.date(2030, 3, 11)
    assert queries.open_for(org.line.id, due) == []
    assert [c.id for c in queries.open_for(org.unrelated.id, due)] == [check.id]
    assert check.manager_id == org.line.id  # who it was at approval stays on record


def test_the_checkpoint_editor_saves_the_days(org, db_session):
    step = submitted(org.learner)
    checkpoint = step.submission.checkpoint
    fields = checkpoint_ops.CheckpointFields(
        title=checkpoint.title, kind="summative", approval_levels=1,
        rubric_version_id=checkpoint.rubric_version_id, application_check_days=45)
    checkpoint_ops.update_checkpoint(checkpoint, fields)
    assert checkpoint.application_check_days == 45
    with pytest.raises(checkpoint_ops.CheckpointsError, match="application check"):
        checkpoint_ops.update_checkpoint(checkpoint, checkpoint_ops.CheckpointFields(
            title=checkpoint.title, kind="summative", approval_levels=1,
            rubric_version_id=checkpoint.rubric_version_id, application_check_days=-1))


def test_ld_sets_the_days_in_the_checkpoint_editor(client, org, db_session):
    from tests.conftest import csrf_token, login

    step = submitted(org.learner)
    checkpoint = step.submission.checkpoint
    db_session.commit()
    login(client, org.ld)
    url = f"/programmes/{checkpoint.programme_id}/checkpoints/{checkpoint.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "Application check, in days after approval" in page
    assert "organisation&#39;s default (60 days)" in page  # the setting, named
    token = csrf_token(client, url)
    form = {"csrf_token": token, "title": checkpoint.title, "kind": "summative",
            "approval_levels": "1", "min_evidence": "1", "allowed_evidence": ["reflection"],
            "rubric_version_id": str(checkpoint.rubric_version_id),
            "application_check_days": "90"}
    assert client.post(url, data=form).status_code == 302
    db_session.expire_all()
    assert db_session.get(type(checkpoint), checkpoint.id).application_check_days == 90
    assert 'value="90"' in client.get(url).get_data(as_text=True)
    refused = client.post(url, data={**form, "application_check_days": "-5"})
    assert refused.status_code == 200 and "Application check" in refused.get_data(as_text=True)
    client.post(url, data={**form, "application_check_days": ""})
    db_session.expire_all()
    assert db_session.get(type(checkpoint), checkpoint.id).application_check_days is None
