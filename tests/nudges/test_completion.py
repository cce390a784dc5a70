"""Programme completion: set when the last checkpoint is done (approvals, formative feedback),
cleared when a checkpoint is reopened, recognised once, with its e-mail held by quiet hours."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from approvals.models import Decision
from checkpoints.models import Enrolment
from clearance.audit import AuditEvent
from clearance.mail import OutboxMessage
from clearance.notifications import Notification
from engagement.nudges import completion, preferences, runner, sharing
from engagement.nudges.models import RECOGNITION, Certificate, NudgeDelivery
from portfolios import operations as portfolio_ops
from tests.nudges.helpers import at, config, enrol, programme, submission
from tests.spot_checks.factories import decided

DAY = at("2026-03-20 10:00")
NIGHT = at("2026-03-20 21:30")


@pytest.fixture()
def clock(monkeypatch):
    """Completion reads the clock; tests set it."""
    current = {"now": DAY}
    monkeypatch.setattr(completion, "utcnow", lambda: current["now"])
    return current


def _enrolment(person, prog):
    return Enrolment.query.filter_by(person_id=person.id, programme_id=prog.id).one()


def _certificate(enrolment):
    return Certificate.query.filter_by(enrolment_id=enrolment.id).one_or_none()


def _recognitions(db_session, person):
    return db_session.scalar(select(func.count()).select_from(Notification).where(
        Notification.person_id == person.id, Notification.kind == f"nudge.{RECOGNITION}"))


def test_the_final_approval_completes_the_programme_and_recognises_it(org, db_session, clock):
    decision = decided(org.learner)  # one summative checkpoint, approved by the line manager
    prog = decision.step.submission.checkpoint.programme
    enrolment = _enrolment(org.learner, prog)
    assert enrolment.status == "completed"
    assert enrolment.completed_at is not None
    cert = _certificate(enrolment)
    assert cert.is_valid and cert.person_id == org.learner.id
    note = db_session.scalar(select(Notification).where(
        Notification.kind == f"nudge.{RECOGNITION}"))
    assert note.person_id == org.learner.id and note.link == f"/certificates/{cert.id}"
    assert f"you completed “{prog.title}”" in note.message
    mail = db_session.scalar(select(OutboxMessage).where(
        OutboxMessage.subject == f"Well done: “{prog.title}” completed"))
    assert mail.to_address == org.learner.email
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "enrolment.completed"))
    assert event.object_id == str(enrolment.id) and event.after["certificate_id"] == cert.id


def test_not_complete_until_every_checkpoint_is_done(org, db_session, clock):
    prog = programme(checkpoints=("summative", "summative"))
    enrolment = enrol(org.learner, prog)
    first, second = prog.checkpoints
    one = submission(org.learner, first, "submitted")
    portfolio_ops.approve(one, by=org.line)
    assert enrolment.status == "active" and enrolment.completed_at is None
    two = submission(org.learner, second, "submitted")
    portfolio_ops.request_changes(two, by=org.line)
    assert enrolment.completed_at is None
    two.state = "submitted"
    db_session.flush()
    portfolio_ops.approve(two, by=org.line)
    db_session.refresh(enrolment)
    assert enrolment.status == "completed" and enrolment.completed_at is not None


def test_a_formative_checkpoint_counts_once_sent_in_for_feedback(org, db_session, clock):
    prog = programme(checkpoints=("summative", "formative"))
    enrolment = enrol(org.learner, prog)
    summative, formative = prog.checkpoints
    portfolio_ops.approve(submission(org.learner, summative, "submitted"), by=org.line)
    assert enrolment.completed_at is None
    draft = portfolio_ops.start_submission(org.learner, formative)
    portfolio_ops.save_reflection(org.learner, formative, "What I learned from the huddle.")
    portfolio_ops.submit(draft, org.learner, expected_version=0)
    db_session.refresh(enrolment)
    assert enrolment.status == "completed"
    portfolio_ops.withdraw(draft, org.learner)  # taken back: no longer done
    db_session.refresh(enrolment)
    assert enrolment.status == "active" and enrolment.completed_at is None


def test_a_reopened_checkpoint_clears_completion_and_withdraws_the_certificate(
        org, db_session, clock, client):
    decision = decided(org.learner)
    submission_ = decision.step.submission
    enrolment = _enrolment(org.learner, submission_.checkpoint.programme)
    cert = _certificate(enrolment)
    secret = sharing.share(cert)
    db_session.commit()
    assert client.get(f"/certificates/shared/{secret}").status_code == 200
    portfolio_ops.reopen(submission_, by=org.ld, reason="overturned by L&D after spot-check")
    db_session.commit()
    db_session.refresh(enrolment)
    db_session.refresh(cert)
    assert enrolment.status == "active" and enrolment.completed_at is None
    assert cert.withdrawn_at is not None and cert.share_token_hash is None
    assert client.get(f"/certificates/shared/{secret}").status_code == 404
    cleared = db_session.scalar(select(AuditEvent).where(
        AuditEvent.action == "enrolment.completion_cleared"))
    assert cleared.before["status"] == "completed" and cleared.after["status"] == "active"
    # Approved again later: completed again, the same certificate reissued, recognised again.
    clock["now"] = at("2026-04-02 10:00")
    submission_.state = "submitted"
    db_session.flush()
    portfolio_ops.approve(submission_, by=org.line)
    db_session.refresh(cert)
    assert cert.is_valid and cert.share_token_hash is None
    assert _recognitions(db_session, org.learner) == 2


def test_an_ended_enrolment_is_never_completed(org, db_session, clock):
    prog = programme()
    enrolment = enrol(org.learner, prog, status="left")
    portfolio_ops.approve(submission(org.learner, prog.checkpoints[0], "submitted"),
                          by=org.line)
    assert enrolment.status == "left" and enrolment.completed_at is None
    assert Certificate.query.count() == 0


def test_a_programme_without_checkpoints_is_never_complete(org, db_session, clock):
    prog = programme(checkpoints=(), offsets=())
    enrol(org.learner, prog)
    assert completion.sweep(DAY) == (0, 0)


def test_my_programmes_still_lists_a_completed_programme(org, db_session, clock, client):
    from tests.conftest import login

    decision = decided(org.learner)
    db_session.commit()
    login(client, org.learner)
    page = client.get("/my/programmes").get_data(as_text=True)
    assert decision.step.submission.checkpoint.programme.title in page
    assert "Completed" in page


# ---------------------------------------------------------------- recognition


def test_recognition_mail_waits_for_the_end_of_quiet_hours(org, db_session, clock):
    clock["now"] = NIGHT
    decided(org.learner)
    row = db_session.scalar(select(NudgeDelivery).where(NudgeDelivery.kind == RECOGNITION))
    assert row.mail_pending and row.mailed_at is None and row.notified_at is not None
    assert _recognitions(db_session, org.learner) == 1  # in the app at once
    assert OutboxMessage.query.filter(OutboxMessage.subject.like("Well done%")).count() == 0
    cfg = config()
    early = runner.run(at("2026-03-21 07:30"), kinds=[RECOGNITION], cfg=cfg)[0]
    assert (early.deferred, early.sent) == (1, 0)
    morning = runner.run(at("2026-03-21 08:05"), kinds=[RECOGNITION], cfg=cfg)[0]
    assert morning.sent == 1
    mail = OutboxMessage.query.filter(OutboxMessage.subject.like("Well done%")).one()
    assert mail.to_address == org.learner.email and "/certificates/" in mail.body_text
    db_session.refresh(row)
    assert not row.mail_pending and row.mailed_at is not None
    assert runner.run(at("2026-03-21 09:05"), kinds=[RECOGNITION], cfg=cfg)[0].sent == 0


def test_a_held_recognition_mail_is_dropped_if_the_certificate_is_withdrawn(org, db_session,
                                                                            clock):
    clock["now"] = NIGHT
    decision = decided(org.learner)
    portfolio_ops.reopen(decision.step.submission, by=org.ld, reason="overturned")
    result = runner.run(at("2026-03-21 08:05"), kinds=[RECOGNITION], cfg=config())[0]
    assert result.sent == 0
    assert OutboxMessage.query.filter(OutboxMessage.subject.like("Well done%")).count() == 0


def test_recognition_respects_the_learners_choices(org, db_session, clock):
    preferences.set_channels(org.learner.id, RECOGNITION, preferences.Channels(True, False))
    decision = decided(org.learner)
    assert _recognitions(db_session, org.learner) == 1
    assert OutboxMessage.query.filter(OutboxMessage.subject.like("Well done%")).count() == 0
    assert _certificate(_enrolment(org.learner,
                                   decision.step.submission.checkpoint.programme)).is_valid


def test_a_recheck_never_recognises_twice(org, db_session, clock):
    decision = decided(org.learner)
    prog = decision.step.submission.checkpoint.programme
    assert completion.recheck(org.learner.id, prog.id) is None
    assert _recognitions(db_session, org.learner) == 1


# ---------------------------------------------------------------- the sweep


def test_the_sweep_completes_old_data_on_its_real_date_without_messages(org, db_session):
    prog = programme(checkpoints=("summative", "formative"))
    enrolment = enrol(org.learner, prog)
    submission(org.learner, prog.checkpoints[0], "approved", changed=at("2026-02-10 09:00"))
    submission(org.learner, prog.checkpoints[1], "submitted", changed=at("2026-02-12 15:00"))
    other = programme("Not finished")
    enrol(org.learner, other)
    assert completion.sweep(DAY, dry_run=True) == (1, 0)
    assert enrolment.completed_at is None
    assert completion.sweep(DAY) == (1, 0)
    assert enrolment.status == "completed"
    assert enrolment.completed_at.replace(tzinfo=None) == at("2026-02-12 15:00").replace(
        tzinfo=None)
    assert _recognitions(db_session, org.learner) == 0
    assert completion.sweep(DAY) == (0, 0)


def test_the_sweep_clears_completions_that_no_longer_hold(org, db_session):
    prog = programme()
    enrolment = enrol(org.learner, prog, status="completed")
    enrolment.completed_at = DAY
    submission(org.learner, prog.checkpoints[0], "reopened")
    assert completion.sweep(DAY) == (0, 1)
    assert enrolment.status == "active" and enrolment.completed_at is None


def test_certificate_lines_name_each_approver(org, db_session, clock):
    from engagement.nudges.queries import certificate_lines

    decision = decided(org.learner)
    cert = Certificate.query.one()
    (line,) = certificate_lines(cert)
    assert line.title == decision.step.submission.checkpoint.title
    assert [a[0] for a in line.approvals] == [org.line.name]
    assert line.done_at is not None
    assert db_session.scalar(select(func.count()).select_from(Decision)) == 1


def test_the_shared_page_names_approvers_by_role_not_by_name(app, org, db_session, clock):
    decided(org.learner)
    cert = Certificate.query.one()
    secret = sharing.share(cert)
    db_session.commit()
    with app.test_request_context():
        from flask import url_for

        path = url_for("nudges.shared", token=secret)
    page = app.test_client().get(path).get_data(as_text=True)
    assert org.learner.name in page and "Line manager" in page
    assert org.line.name not in page
    assert "Issued through Clearance" in page


def test_the_certificate_names_the_organisation_when_set(app, org, db_session, clock,
                                                         monkeypatch):
    decided(org.learner)
    cert = Certificate.query.one()
    secret = sharing.share(cert)
    db_session.commit()
    monkeypatch.setitem(app.config, "ORGANISATION_NAME", "Northfield <Trust>")
    page = app.test_client().get(f"/certificates/shared/{secret}").get_data(as_text=True)
    assert "Issued by Northfield &lt;Trust&gt; through Clearance" in page


def test_a_held_recognition_mail_is_dropped_for_someone_who_left(org, db_session, clock):
    clock["now"] = NIGHT
    decided(org.learner)
    org.learner.active = False
    db_session.flush()
    result = runner.run(at("2026-03-21 08:05"), kinds=[RECOGNITION], cfg=config())[0]
    assert (result.sent, result.opted_out) == (0, 1)
