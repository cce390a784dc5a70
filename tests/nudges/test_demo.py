"""The demo seeder: completions from what exists, choices for the demo people."""

from __future__ import annotations

from engagement.nudges import preferences
from engagement.nudges.demo import seed_nudges
from engagement.nudges.models import THEME_RELEASED, Certificate, NudgeQuietHours
from tests.nudges.helpers import enrol, programme, submission


def test_demo_marks_completions_and_sets_choices(org, db_session, make_person):
    sam = make_person("Sam Taylor", manager=org.line, email="sam.taylor@northfield.example")
    tom = make_person("Tom Williams", manager=org.skip, email="tom.williams@northfield.example")
    prog = programme("Clinical handover", checkpoints=("formative", "summative"))
    enrol(sam, prog)
    submission(sam, prog.checkpoints[0], "submitted")
    submission(sam, prog.checkpoints[1], "approved")
    enrol(org.learner, programme("Unfinished"))
    summary = {"report": "before"}
    seed_nudges(summary)
    (cert,) = Certificate.query.all()
    assert cert.person_id == sam.id and cert.is_valid
    assert "1 programme completions with certificates (1 found by the completion sweep)" \
        in summary["report"]
    assert preferences.channels_of(sam.id)[THEME_RELEASED] == preferences.Channels(True, False)
    assert db_session.get(NudgeQuietHours, tom.id).mode == "custom"


def test_demo_does_nothing_when_people_were_skipped(org, db_session):
    seed_nudges({"skipped_people": True})
    assert Certificate.query.count() == 0


def test_demo_dates_completions_made_while_seeding_and_holds_no_mail(org, db_session,
                                                                     monkeypatch):
    from engagement.nudges import completion
    from engagement.nudges.models import NudgeDelivery
    from portfolios import operations as portfolio_ops
    from tests.nudges.helpers import at

    monkeypatch.setattr(completion, "utcnow", lambda: at("2026-03-20 21:30"))  # quiet hours
    prog = programme()
    enrolment = enrol(org.learner, prog)
    sub = submission(org.learner, prog.checkpoints[0], "submitted")
    portfolio_ops.approve(sub, by=org.line)  # the hand-off completes it "now"
    sub.state_changed_at = at("2026-01-15 11:00")  # a seeder backdates its history
    held = NudgeDelivery.query.filter_by(kind="recognition").one()
    assert held.mail_pending
    seed_nudges({})
    db_session.refresh(enrolment)
    assert enrolment.completed_at.replace(tzinfo=None) == at("2026-01-15 11:00").replace(
        tzinfo=None)
    db_session.refresh(held)
    assert not held.mail_pending


def test_recognition_is_paused_between_the_two_demo_steps(org, db_session):
    from clearance.notifications import Notification
    from engagement.nudges.demo import pause_recognition
    from portfolios import operations as portfolio_ops

    prog = programme()
    enrolment = enrol(org.learner, prog)
    pause_recognition({})
    try:
        portfolio_ops.approve(submission(org.learner, prog.checkpoints[0], "submitted"),
                              by=org.line)
    finally:
        seed_nudges({"skipped_people": True})  # resumes recognition
    assert enrolment.status == "completed"
    assert Notification.query.filter_by(kind="nudge.recognition").count() == 0
    other = programme("Second")
    enrol(org.learner, other)
    portfolio_ops.approve(submission(org.learner, other.checkpoints[0], "submitted"),
                          by=org.line)
    assert Notification.query.filter_by(kind="nudge.recognition").count() == 1
