"""Deciding through the review page: full assessment, outcomes, conflicts, notifications."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from approvals.models import ApprovalStep, Decision
from clearance.audit import AuditEvent
from clearance.mail import OutboxMessage
from clearance.notifications import Notification
from portfolios import operations as portfolio_ops
from portfolios.models import Submission
from tests.approvals.factories import full_assessment, pending_step, submitted
from tests.conftest import csrf_token, login


def _post(client, step, data, *, lock=None, version=None):
    page = client.get(f"/approvals/steps/{step.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    opened = re.search(r'name="opened"[^>]*value="([^"]*)"', page)
    return client.post(f"/approvals/steps/{step.id}/decide", data={
        "csrf_token": token, "lock": str(lock if lock is not None else step.lock_version),
        "version": str(version if version is not None else step.version_id),
        "opened": opened.group(1) if opened else "", **data})


def test_submission_routes_to_the_line_manager_queue(client, org, db_session):
    step = submitted(org.learner)
    assert step.approver_id == org.line.id and step.level == 1
    login(client, org.line)
    page = client.get("/approvals").get_data(as_text=True)
    assert "Lea Learner" in page and "Safe handover" in page
    assert re.search(r"Approvals <span class=\"badge\">.*?1<span", page)  # count in the nav
    note = db_session.scalar(select(Notification).where(Notification.person_id == org.line.id))
    assert note.link == f"/approvals/steps/{step.id}"


def test_incomplete_assessment_is_refused_and_keeps_what_was_typed(client, org, db_session):
    step = submitted(org.learner)
    login(client, org.line)
    data = full_assessment(step, feedback="Too short")
    first = next(k for k in data if k.endswith("-level"))
    del data[first]
    data["outcome"] = "approved"
    response = _post(client, step, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The assessment is not complete yet" in page
    assert f'href="#{first}"' in page  # the summary links to the unscored criterion
    assert "Write overall feedback of at least 40 characters" in page
    assert "Too short" in page  # nothing typed is lost
    assert any(f'value="{v}" checked' in page or f'checked value="{v}"' in page
               or re.search(rf'value="{v}"[^>]*checked', page)
               for k, v in data.items() if k.endswith("-level"))
    assert db_session.scalar(select(func.count()).select_from(Decision)) == 0


def test_complete_approval_records_everything_and_tells_the_learner(client, org, db_session):
    step = submitted(org.learner)
    login(client, org.line)
    response = _post(client, step, {**full_assessment(step), "outcome": "approved",
                                    "decided_by": str(org.admin.id),
                                    "acting_for": str(org.md.id),
                                    "approver_id": str(org.ld.id), "score": "999"})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    db_session.expire_all()
    decision = db_session.scalar(select(Decision))
    assert decision.decided_by_id == org.line.id  # posted extras are ignored
    assert decision.acting_for_id is None
    assert decision.outcome == "approved" and decision.level == 1
    assert decision.content_hash == step.version.content_hash
    assert decision.rubric_version_id is not None and len(decision.scores) == 3
    assert decision.review_started_at is not None
    assert db_session.get(Submission, step.submission_id).state == "approved"
    assert db_session.get(ApprovalStep, step.id).status == "decided"
    learner_mail = db_session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == org.learner.email)).all()
    assert any("approved" in m.subject for m in learner_mail)
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "approval.decided")) == 1


def test_two_levels_go_to_the_skip_level_manager(client, org, db_session):
    step = submitted(org.learner, levels=2)
    login(client, org.line)
    assert _post(client, step, {**full_assessment(step), "outcome": "approved"}).status_code == 302
    db_session.expire_all()
    level2 = pending_step(step.submission_id)
    assert (level2.level, level2.approver_id) == (2, org.skip.id)
    assert db_session.get(Submission, step.submission_id).state == "submitted"
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    login(client, org.skip)
    assert _post(client, level2, {**full_assessment(level2), "outcome": "approved"}
                 ).status_code == 302
    db_session.expire_all()
    assert db_session.get(Submission, step.submission_id).state == "approved"


def test_request_changes_then_resubmit_routes_the_new_version(client, org, db_session):
    step = submitted(org.learner)
    login(client, org.line)
    data = {**full_assessment(step, position=0), "outcome": "changes_requested"}
    assert _post(client, step, data).status_code == 302
    db_session.expire_all()
    submission = db_session.get(Submission, step.submission_id)
    assert submission.state == "changes_requested"
    portfolio_ops.save_reflection(org.learner, submission.checkpoint, "Revised reflection.")
    portfolio_ops.submit(submission, org.learner, expected_version=1)
    again = pending_step(submission.id)
    assert again.version_id != step.version_id and again.approver_id == org.line.id


def test_approving_below_the_pass_level_needs_a_justification(client, org, db_session):
    step = submitted(org.learner)
    login(client, org.line)
    data = {**full_assessment(step, position=0), "outcome": "approved"}
    page = _post(client, step, data).get_data(as_text=True)
    assert "Explain why in the justification" in page or "justification" in page.lower()
    assert db_session.scalar(select(func.count()).select_from(Decision)) == 0
    data["justification"] = "Agreed in our 1:1: the evidence came from a very unusual shift."
    assert _post(client, step, data).status_code == 302


def test_second_decision_gets_409_naming_who_decided(client, org, db_session):
    step = submitted(org.learner)
    login(client, org.line)
    data = {**full_assessment(step), "outcome": "approved"}
    token = csrf_token(client, f"/approvals/steps/{step.id}")
    form = {"csrf_token": token, "lock": str(step.lock_version),
            "version": str(step.version_id), **data}
    assert client.post(f"/approvals/steps/{step.id}/decide", data=form).status_code == 302
    again = client.post(f"/approvals/steps/{step.id}/decide", data=form)
    assert again.status_code == 409
    assert "Lin Manager already decided this" in again.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Decision)) == 1


def test_withdrawn_since_the_page_opened_is_a_stale_form(client, org, db_session):
    step = submitted(org.learner)
    login(client, org.line)
    token = csrf_token(client, f"/approvals/steps/{step.id}")
    submission = db_session.get(Submission, step.submission_id)
    portfolio_ops.withdraw(submission, org.learner)
    db_session.commit()
    response = client.post(f"/approvals/steps/{step.id}/decide", data={
        "csrf_token": token, "lock": str(step.lock_version), "version": str(step.version_id),
        **full_assessment(step), "outcome": "approved"})
    assert response.status_code == 409
    assert "withdrew" in response.get_data(as_text=True)


def test_withdraw_is_blocked_once_a_level_is_decided(client, org, db_session):
    import pytest

    from portfolios.operations import PortfolioError

    step = submitted(org.learner, levels=2)
    login(client, org.line)
    assert _post(client, step, {**full_assessment(step), "outcome": "approved"}).status_code == 302
    db_session.expire_all()
    with pytest.raises(PortfolioError, match="already decided level 1"):
        portfolio_ops.withdraw(db_session.get(Submission, step.submission_id), org.learner)


def test_delegate_decides_acting_for_the_absent_approver(client, org, db_session):
    import datetime as dt

    from clearance.database import utcnow
    from people.delegation import create_delegation

    step = submitted(org.learner)
    create_delegation(org.line, org.unrelated, utcnow() - dt.timedelta(hours=1),
                      utcnow() + dt.timedelta(days=1))
    db_session.commit()
    login(client, org.line)  # the absent approver keeps read access but cannot decide
    page = client.get(f"/approvals/steps/{step.id}").get_data(as_text=True)
    assert "decides it" in page and 'action="/approvals/steps/' not in page
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    login(client, org.unrelated)
    assert "Lea Learner" in client.get("/approvals").get_data(as_text=True)
    assert _post(client, step, {**full_assessment(step), "outcome": "approved"}).status_code == 302
    db_session.expire_all()
    decision = db_session.scalar(select(Decision))
    assert decision.decided_by_id == org.unrelated.id and decision.acting_for_id == org.line.id


def test_learner_sees_the_feedback_with_the_rubric(client, org, db_session):
    step = submitted(org.learner)
    login(client, org.line)
    data = {**full_assessment(step, feedback="Lovely structured handover <b>bold</b>; well "
                                             "done on escalating early."),
            "outcome": "approved"}
    assert _post(client, step, data).status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    login(client, org.learner)
    page = client.get(f"/portfolio/submissions/{step.submission_id}").get_data(as_text=True)
    assert "Approved at level 1 by Lin Manager" in page
    assert "well done on escalating early" in page.replace("\n", " ")
    assert "&lt;b&gt;bold&lt;/b&gt;" in page  # escaped, never rendered
    assert "Comment on Criterion 1" in page  # per-criterion comments in the read-only grid
