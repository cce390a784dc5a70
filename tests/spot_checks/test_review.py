"""The L&D review: claiming, the blind scoring, side by side, and each verdict."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from approvals.models import ApprovalStep, Decision
from approvals.spot_checks import operations as ops
from approvals.spot_checks import sampler
from approvals.spot_checks.models import SpotCheck
from clearance.audit import AuditEvent
from clearance.mail import OutboxMessage
from clearance.notifications import Notification
from portfolios import operations as portfolio_ops
from portfolios.models import Submission
from tests.conftest import csrf_token, login
from tests.spot_checks.helpers import ld_assessment, sampled_check

MANAGER_COMMENT = "Comment on Criterion"
MANAGER_FEEDBACK = "A clear, well-structured handover"


def _post(client, url, data, page):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def test_the_managers_scores_are_not_in_the_html_until_ld_has_scored(client, org, db_session):
    check = sampled_check(org, "open")
    login(client, org.ld)
    url = f"/spot-checks/{check.id}"
    before = client.get(url).get_data(as_text=True)
    assert "Take this check" in before
    _post(client, f"{url}/claim", {}, url)
    blind = client.get(url).get_data(as_text=True)
    assert "Your own assessment" in blind
    for hidden in (MANAGER_COMMENT, MANAGER_FEEDBACK, "chosen-mark", " checked", "Approved"):
        assert hidden not in blind, hidden
    # level ids the manager chose appear only as the scoring radios' values, never chosen
    scores = {f"c{cid}-level": str(a.level_id)
              for cid, a in ld_assessment(check, 0).criteria.items()}
    response = _post(client, f"{url}/score", {**scores, "ld_outcome": "changes_requested",
                                              "feedback": "Not enough evidence."}, url)
    assert response.status_code == 302
    revealed = client.get(url).get_data(as_text=True)
    assert MANAGER_COMMENT in revealed and MANAGER_FEEDBACK in revealed
    assert "Side by side" in revealed and "Manager 1 higher" in revealed
    assert "Record the verdict" in revealed


def test_incomplete_blind_scores_are_refused_and_keep_what_was_chosen(client, org, db_session):
    check = sampled_check(org, "claimed")
    login(client, org.ld)
    url = f"/spot-checks/{check.id}"
    scores = {f"c{cid}-level": str(a.level_id) for cid, a in ld_assessment(check).criteria.items()}
    first = next(iter(scores))
    kept = dict(list(scores.items())[1:])
    page = _post(client, f"{url}/score", {**kept, "ld_outcome": "approved"}, url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Score every criterion first" in html
    assert f'href="#{first}"' in html
    assert MANAGER_COMMENT not in html  # still blind
    db_session.expire_all()
    assert db_session.get(SpotCheck, check.id).status == "claimed"


def test_a_second_reviewer_cannot_claim_a_claimed_check(client, org, make_person, db_session):
    check = sampled_check(org, "open")
    other = make_person("Lee Dee", manager=org.md, roles={"ld"}, unit="L&D")
    ops.claim(check, org.ld)
    with pytest.raises(ops.ClaimConflict, match="Elle Dee already took"):
        ops.claim(check, other)
    db_session.commit()
    login(client, other)
    url = f"/spot-checks/{check.id}"
    response = _post(client, f"{url}/claim", {}, url)
    assert response.status_code == 302
    assert "already took this check" in client.get("/spot-checks").get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(SpotCheck, check.id).claimed_by_id == org.ld.id
    # nor may they score it
    with pytest.raises(ops.SpotCheckError):
        ops.score(check, other, ld_assessment(check), "approved")


def test_nobody_checks_their_own_decision_or_their_own_work(org, db_session):
    check = sampled_check(org, "open")
    with pytest.raises(ops.SpotCheckError, match="your own"):
        ops.claim(check, check.approver)
    with pytest.raises(ops.SpotCheckError):
        ops.pick(check.decision, check.learner)


def test_agree_stands_and_is_an_audit_event(org, db_session):
    check = sampled_check(org, "done", verdict="agree")
    assert check.verdict == "agree" and check.status == "done" and check.approver_feedback == ""
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "spot_check.verdict"))
    assert event.after == {"verdict": "agree", "decision_id": check.decision_id,
                           "approver_id": org.line.id}
    assert db_session.get(Submission, check.submission_id).state == "approved"


def test_concern_reaches_the_approvers_queue_until_acknowledged(client, org, db_session):
    check = sampled_check(org, "done", verdict="concern")
    assert db_session.get(Submission, check.submission_id).state == "approved"
    note = db_session.scalar(select(Notification).where(Notification.person_id == org.line.id,
                                                        Notification.kind == "spot_check.concern"))
    assert note.link == f"/spot-checks/mine/{check.id}"
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.to_address == org.line.email,
                                    OutboxMessage.subject.contains("concern"))) == 1
    db_session.commit()
    login(client, org.line)
    queue = client.get("/approvals").get_data(as_text=True)
    assert "Feedback from L&amp;D spot-checks" in queue and "leading the" in queue
    assert "INTERNAL" not in queue
    mine = client.get(f"/spot-checks/mine/{check.id}").get_data(as_text=True)
    assert "leading the" in mine and "INTERNAL" not in mine
    response = _post(client, f"/spot-checks/mine/{check.id}/acknowledge", {"next": "queue"},
                     "/approvals")
    assert response.headers["Location"] == "/approvals"
    assert "Feedback from L&amp;D spot-checks" not in client.get("/approvals").get_data(
        as_text=True)
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "spot_check.acknowledged")) == 1


def test_overturn_reopens_keeps_history_and_routes_again(client, org, db_session):
    check = sampled_check(org, "done", verdict="overturn")
    decision_id, submission_id = check.decision_id, check.submission_id
    decision = db_session.get(Decision, decision_id)
    assert decision.outcome == "approved"  # never edited
    submission = db_session.get(Submission, submission_id)
    assert submission.state == "reopened"
    assert submission.latest_version.outcome == "approved"
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "submission.reopened")) == 1
    kinds = set(db_session.scalars(select(Notification.kind)
                                   .where(Notification.person_id.in_([org.line.id,
                                                                      org.learner.id]))))
    assert {"spot_check.overturn", "spot_check.overturned"} <= kinds
    told = db_session.scalars(select(OutboxMessage.body_text)
                              .where(OutboxMessage.to_address == org.learner.email)).all()
    assert any("leading the handover yourself" in body for body in told)
    assert not any("INTERNAL" in body for body in told)

    # the learner resubmits: routing starts again with the line manager, history kept
    portfolio_ops.save_reflection(org.learner, submission.checkpoint,
                                  "I now led the handover myself; see the updated log.")
    portfolio_ops.submit(submission, org.learner, expected_version=submission.version_count)
    db_session.expire_all()
    submission = db_session.get(Submission, submission_id)
    assert submission.state == "submitted" and submission.version_count == 2
    step = db_session.scalar(select(ApprovalStep).where(
        ApprovalStep.submission_id == submission_id, ApprovalStep.status == "pending"))
    assert step.approver_id == org.line.id and step.version_id == submission.latest_version.id
    assert db_session.get(Decision, decision_id).outcome == "approved"

    db_session.commit()
    login(client, org.learner)
    page = client.get(f"/portfolio/submissions/{submission_id}").get_data(as_text=True)
    assert "Decision overturned by L&amp;D" in page
    assert "leading the handover yourself" in page
    assert "INTERNAL" not in page and "rubber-stamp" not in page
    assert "does not show the learner leading" not in page  # the approver's feedback


def test_overturn_is_refused_once_the_learner_has_moved_on(org, db_session):
    check = sampled_check(org, "scored", outcome="changes_requested",
                          feedback="Please add what you would do differently next time, "
                                   "with dates, and resubmit it for me to look at again.")
    submission = check.submission
    portfolio_ops.save_reflection(org.learner, submission.checkpoint, "New reflection text.")
    portfolio_ops.submit(submission, org.learner, expected_version=submission.version_count)
    with pytest.raises(ops.SpotCheckError, match="newer version"):
        ops.give_verdict(check, org.ld, "overturn",
                         approver_feedback="This should have been approved the first time.")
    ops.give_verdict(check, org.ld, "concern",
                     approver_feedback="This should have been approved the first time.")
    assert check.verdict == "concern"


def test_verdict_form_needs_feedback_for_a_concern(client, org, db_session):
    check = sampled_check(org, "scored")
    db_session.commit()
    login(client, org.ld)
    url = f"/spot-checks/{check.id}"
    page = _post(client, f"{url}/verdict", {"verdict": "concern", "approver_feedback": "meh",
                                            "internal_notes": "keep this"}, url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "at least 20 characters" in html
    assert "keep this" in html
    db_session.expire_all()
    assert db_session.get(SpotCheck, check.id).verdict is None


def test_the_queue_filters_and_counts_reasons(client, org, make_person, db_session):
    sampled_check(org, "open")
    from tests.spot_checks.factories import decided

    decided(org.other_learner, title="Medicines audit",
            feedback="Fine work overall, nothing much to add here at all.",
            opened_minutes_ago=0.2)
    db_session.commit()
    login(client, org.ld)
    html = client.get("/spot-checks").get_data(as_text=True)
    assert "Lea Learner: Safe handover" in html and "Otto Learner: Medicines audit" in html
    assert re.search(r"Short overall feedback</a>: <strong>1</strong>", html)
    assert re.search(r"New approver</a>: <strong>2</strong>", html)
    short = client.get("/spot-checks?reason=short_feedback").get_data(as_text=True)
    assert "Otto Learner" in short and "Lea Learner: Safe" not in short
    by_name = client.get("/spot-checks?approver=una").get_data(as_text=True)
    assert "Otto Learner" in by_name and "Lea Learner: Safe" not in by_name
    by_unit = client.get("/spot-checks?unit=Ward+2").get_data(as_text=True)
    assert "Otto Learner" in by_unit and "Lea Learner: Safe" not in by_unit
    old = client.get("/spot-checks?age=7").get_data(as_text=True)
    assert "No spot-checks match" in old


def test_ld_picks_a_decision_by_hand_and_sets_a_programme_rate(client, org, db_session,
                                                               monkeypatch):
    from approvals.spot_checks.models import ProgrammeSamplingRate
    from tests.spot_checks.factories import decided

    monkeypatch.setattr(sampler, "approver_record", lambda _id, _w: (9, (True,) * 20))
    decision = next(d for d in (decided(org.learner, title=f"Task {i}") for i in range(12))
                    if db_session.scalar(select(SpotCheck).where(
                        SpotCheck.decision_id == d.id)) is None)
    db_session.commit()
    login(client, org.ld)
    listing = client.get("/spot-checks/decisions?q=lea").get_data(as_text=True)
    assert f"/spot-checks/decisions/{decision.id}/pick" in listing
    response = _post(client, f"/spot-checks/decisions/{decision.id}/pick", {},
                     "/spot-checks/decisions")
    assert response.status_code == 302
    check = db_session.scalar(select(SpotCheck).where(SpotCheck.decision_id == decision.id))
    assert check.origin == "manual" and [r.code for r in check.reasons] == ["manual"]
    programme_id = check.programme_id
    _post(client, f"/spot-checks/rates/{programme_id}", {"rate": "35"}, "/spot-checks/rates")
    assert float(db_session.get(ProgrammeSamplingRate, programme_id).rate) == 0.35
    assert "35%" in client.get("/spot-checks/rates").get_data(as_text=True)
    _post(client, f"/spot-checks/rates/{programme_id}", {"rate": ""}, "/spot-checks/rates")
    db_session.expire_all()
    assert db_session.get(ProgrammeSamplingRate, programme_id) is None
