"""Submissions: evidence, the state machine, versions, double submit, requirements."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from clearance.audit import AuditEvent
from clearance.extensions import db
from portfolios import handoff, operations, transitions
from portfolios.models import Evidence, FrozenEvidenceError, SubmissionVersion
from portfolios.samples import pdf, png
from tests.portfolios import factories as f


def _audit_count(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == action))


def test_submit_freezes_the_working_set_as_version_one(org, db_session):
    cp = f.enrolled_checkpoint(org.learner, min_evidence=2)
    operations.add_file(org.learner, cp, io.BytesIO(pdf("Handover notes")), "handover.pdf")
    operations.save_reflection(org.learner, cp, "I *learned* a lot.")
    submission = operations.find_submission(org.learner, cp)
    version = operations.submit(submission, org.learner, expected_version=0)
    assert version.number == 1
    assert submission.state == "submitted"
    assert submission.version_count == 1
    assert sorted(e.kind for e in version.evidence) == ["file", "reflection"]
    assert all(e.locked_at is not None for e in version.evidence)
    assert _audit_count("submission.submitted") == 1


def test_double_submit_creates_one_version(org, db_session):
    cp = f.enrolled_checkpoint(org.learner)
    operations.save_reflection(org.learner, cp, "Done.")
    submission = operations.find_submission(org.learner, cp)
    operations.submit(submission, org.learner, expected_version=0)
    with pytest.raises(operations.SubmissionConflict):
        operations.submit(submission, org.learner, expected_version=0)
    count = db.session.scalar(select(func.count()).select_from(SubmissionVersion))
    assert count == 1


def test_stale_update_is_refused_by_the_conditional_update(org, db_session):
    cp = f.enrolled_checkpoint(org.learner)
    operations.save_reflection(org.learner, cp, "Done.")
    submission = operations.find_submission(org.learner, cp)
    operations.submit(submission, org.learner, expected_version=0)
    # A second request that loaded the submission before the first committed still sees the
    # old state in memory; the UPDATE names that state and version, so it changes nothing.
    submission.__dict__["state"] = "draft"
    submission.__dict__["version_count"] = 0
    with pytest.raises(operations.SubmissionConflict):
        transitions._transition(submission, "submit", expected_version=0)
    assert db.session.scalar(select(func.count()).select_from(SubmissionVersion)) == 1


def test_resubmission_after_changes_keeps_every_version(org, db_session):
    cp = f.enrolled_checkpoint(org.learner)
    operations.add_file(org.learner, cp, io.BytesIO(png()), "ward.png")
    operations.save_reflection(org.learner, cp, "First try.")
    submission = operations.find_submission(org.learner, cp)
    v1 = operations.submit(submission, org.learner, expected_version=0)
    operations.request_changes(submission, by=org.line, reason="Say more.")
    assert v1.outcome == "changes_requested"
    operations.save_reflection(org.learner, cp, "First try.\nSecond, longer.")
    old_file = next(e for e in submission.working_set if e.kind == "file")
    operations.remove_evidence(old_file)
    operations.add_link(org.learner, cp, "https://example.org/guide", "Guide")
    v2 = operations.submit(submission, org.learner, expected_version=1)
    assert v2.number == 2
    assert {e.kind for e in v1.evidence} == {"file", "reflection"}
    assert {e.kind for e in v2.evidence} == {"reflection", "link"}
    assert old_file.detached_at is not None  # kept for version 1
    operations.approve(submission, by=org.line)
    assert submission.state == "approved" and v2.outcome == "approved"


def test_locked_evidence_cannot_be_edited_or_deleted(org, db_session):
    cp = f.enrolled_checkpoint(org.learner)
    evidence = operations.save_reflection(org.learner, cp, "Original text.")
    operations.submit(operations.find_submission(org.learner, cp), org.learner,
                      expected_version=0)
    evidence.body = "Rewritten history."
    with pytest.raises(FrozenEvidenceError):
        db.session.flush()
    db.session.rollback()


def test_editing_a_submitted_version_is_refused(org, db_session):
    cp = f.enrolled_checkpoint(org.learner)
    operations.save_reflection(org.learner, cp, "Text.")
    submission = operations.find_submission(org.learner, cp)
    operations.submit(submission, org.learner, expected_version=0)
    with pytest.raises(operations.PortfolioError, match="cannot be changed"):
        operations.save_reflection(org.learner, cp, "Sneaky edit.")
    with pytest.raises(operations.PortfolioError, match="cannot be changed"):
        operations.remove_evidence(submission.working_set[0])


def test_not_enrolled_cannot_add_or_submit(org, db_session):
    prog = f.programme()
    cp = f.checkpoint(prog)
    with pytest.raises(operations.NotEnrolled):
        operations.save_reflection(org.learner, cp, "Text.")
    f.enrol(org.learner, prog, status="left")
    with pytest.raises(operations.NotEnrolled):
        operations.add_link(org.learner, cp, "https://example.org")
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_requirements_min_items_and_kinds(org, db_session):
    cp = f.enrolled_checkpoint(org.learner, min_evidence=2, allowed_evidence="reflection,link")
    operations.save_reflection(org.learner, cp, "Text.")
    submission = operations.find_submission(org.learner, cp)
    with pytest.raises(operations.PortfolioError, match="at least 2"):
        operations.submit(submission, org.learner, expected_version=0)
    with pytest.raises(operations.PortfolioError, match="does not take file"):
        operations.add_file(org.learner, cp, io.BytesIO(png()), "a.png")
    assert submission.state == "draft"


def test_withdraw_only_while_undecided(org, db_session):
    cp = f.enrolled_checkpoint(org.learner)
    operations.save_reflection(org.learner, cp, "Text.")
    submission = operations.find_submission(org.learner, cp)
    version = operations.submit(submission, org.learner, expected_version=0)
    operations.withdraw(submission, org.learner)
    assert submission.state == "withdrawn" and version.outcome == "withdrawn"
    operations.submit(submission, org.learner, expected_version=1)
    operations.approve(submission, by=org.line)
    with pytest.raises(operations.SubmissionConflict):
        operations.withdraw(submission, org.learner)


def test_withdraw_blocker_from_routing(org, db_session):
    cp = f.enrolled_checkpoint(org.learner)
    operations.save_reflection(org.learner, cp, "Text.")
    submission = operations.find_submission(org.learner, cp)
    operations.submit(submission, org.learner, expected_version=0)

    def blocker(sub):
        return "Your line manager has already approved level 1."

    handoff.register_withdraw_blocker(blocker)
    try:
        with pytest.raises(operations.PortfolioError, match="already approved level 1"):
            operations.withdraw(submission, org.learner)
    finally:
        handoff.unregister(blocker)
    assert submission.state == "submitted"


def test_summative_submission_is_handed_to_routing_once(org, db_session):
    seen = []

    def routing(version):
        seen.append((version.submission_id, version.number))

    handoff.register_submitted_handler(routing)
    try:
        summative = f.enrolled_checkpoint(org.learner)
        operations.save_reflection(org.learner, summative, "Text.")
        sub = operations.find_submission(org.learner, summative)
        operations.submit(sub, org.learner, expected_version=0)
        prog = f.programme("Formative one")
        formative = f.checkpoint(prog, kind="formative")
        f.enrol(org.learner, prog)
        operations.save_reflection(org.learner, formative, "Text.")
        operations.submit(operations.find_submission(org.learner, formative), org.learner,
                          expected_version=0)
    finally:
        handoff.unregister(routing)
    assert seen == [(sub.id, 1)]


def test_someone_else_cannot_submit_or_withdraw(org, db_session):
    cp = f.enrolled_checkpoint(org.learner)
    operations.save_reflection(org.learner, cp, "Text.")
    submission = operations.find_submission(org.learner, cp)
    with pytest.raises(operations.PortfolioError):
        operations.submit(submission, org.other_learner, expected_version=0)
    operations.submit(submission, org.learner, expected_version=0)
    with pytest.raises(operations.PortfolioError):
        operations.withdraw(submission, org.line)


def test_reopen_after_approval_then_resubmit(org, db_session):
    cp = f.enrolled_checkpoint(org.learner)
    operations.save_reflection(org.learner, cp, "Text.")
    submission = operations.find_submission(org.learner, cp)
    operations.submit(submission, org.learner, expected_version=0)
    operations.approve(submission, by=org.line)
    operations.reopen(submission, by=org.ld, reason="Spot-check: evidence thin.")
    assert submission.state == "reopened"
    operations.save_reflection(org.learner, cp, "Text, with much more detail.")
    operations.submit(submission, org.learner, expected_version=1)
    assert submission.version_count == 2


def test_files_of_a_rolled_back_unit_of_work_are_deleted(app, org, db_session):
    from portfolios.storage import storage

    cp = f.enrolled_checkpoint(org.learner)
    db_session.commit()
    evidence = operations.add_file(org.learner, cp, io.BytesIO(pdf("Gone")), "gone.pdf")
    key = evidence.storage_key
    assert storage().exists(key)
    db.session.rollback()
    assert not storage().exists(key)


def test_files_of_a_committed_unit_of_work_stay(app, org, db_session):
    from portfolios.storage import storage

    cp = f.enrolled_checkpoint(org.learner)
    evidence = operations.add_file(org.learner, cp, io.BytesIO(pdf("Kept")), "kept.pdf")
    key = evidence.storage_key
    db_session.commit()
    db.session.rollback()
    assert storage().exists(key)
