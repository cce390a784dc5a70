"""Every write to evidence and submissions: flush, never commit; one audit event each.

Submission transitions (submit, withdraw, request changes, approve, reopen) live in
portfolios/transitions.py and are re-exported here: callers import them from this module.
"""

from __future__ import annotations

import hashlib
from typing import Any, BinaryIO

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from checkpoints.models import Checkpoint, Enrolment
from clearance import audit
from clearance.database import after_commit, utcnow
from clearance.extensions import db
from portfolios.filecheck import FileRefused, check_file, sanitise_name
from portfolios.models import (
    EDITABLE_STATES,
    STATE_LABELS,
    Evidence,
    Submission,
)
from portfolios.storage import new_key, storage
from portfolios.text import MAX_REFLECTION_CHARS, LinkRefused, check_link

#: enrolment states in which a learner may work on the programme's checkpoints
WORKING_ENROLMENT = ("active", "completed")
_WRITTEN = "portfolios_written_files"


class PortfolioError(ValueError):
    """A refused change, with a message fit to show the person who asked."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotEnrolled(PortfolioError):
    pass


# ---------------------------------------------------------------- enrolment and the draft


def working_enrolment(person: Any, checkpoint: Checkpoint) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.person_id == person.id,
                                Enrolment.programme_id == checkpoint.programme_id,
                                Enrolment.status.in_(WORKING_ENROLMENT))
    )


def _require_enrolment(person: Any, checkpoint: Checkpoint) -> None:
    if working_enrolment(person, checkpoint) is None:
        raise NotEnrolled(
            f"You are not enrolled in “{checkpoint.programme.title}”, so you cannot add "
            "evidence to or submit this checkpoint. Enrol from the catalogue first."
        )


def find_submission(person: Any, checkpoint: Checkpoint) -> Submission | None:
    return db.session.scalar(
        select(Submission).where(Submission.person_id == person.id,
                                 Submission.checkpoint_id == checkpoint.id)
    )


def start_submission(person: Any, checkpoint: Checkpoint) -> Submission:
    """The learner's submission for ``checkpoint``, created as a draft on first use."""
    _require_enrolment(person, checkpoint)
    found = find_submission(person, checkpoint)
    if found is not None:
        return found
    submission = Submission(person_id=person.id, checkpoint_id=checkpoint.id, state="draft",
                            version_count=0, created_at=utcnow(), state_changed_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(submission)
    except IntegrityError:  # created by a parallel request a moment ago
        found = find_submission(person, checkpoint)
        if found is None:
            raise
        return found
    audit.record("submission.started", obj=submission,
                 after={"checkpoint_id": checkpoint.id, "person_id": person.id,
                        "state": "draft"})
    return submission


def working_set(submission: Submission) -> list[Evidence]:
    """The evidence that the next version would contain (read fresh from the database)."""
    db.session.flush()
    db.session.expire(submission, ["evidence"])
    return list(db.session.scalars(
        select(Evidence).where(Evidence.submission_id == submission.id,
                               Evidence.detached_at.is_(None)).order_by(Evidence.id)
    ))


def _editable(submission: Submission) -> None:
    if submission.state not in EDITABLE_STATES:
        raise PortfolioError(
            f"This checkpoint is {STATE_LABELS[submission.state].lower()}, so its evidence "
            "cannot be changed now. You can change it again if your reviewer asks for changes"
            + (" or after you withdraw it." if submission.state == "submitted" else ".")
        )


def _allowed_kind(submission: Submission, kind: str) -> None:
    checkpoint = submission.checkpoint
    if kind not in checkpoint.allowed_kinds:
        allowed = ", ".join(checkpoint.allowed_kinds) or "nothing"
        raise PortfolioError(f"This checkpoint does not take {kind} evidence (it takes: "
                             f"{allowed}).", kind)


# ---------------------------------------------------------------- evidence


def _track_written(key: str) -> None:
    db.session().info.setdefault(_WRITTEN, []).append((storage(), key))


@event.listens_for(Session, "after_soft_rollback")
def _remove_files_of_rolled_back_work(session: Session, previous: Any) -> None:
    """Files written by a unit of work that is rolled back are deleted with it."""
    if previous.nested:
        return
    for store, key in session.info.pop(_WRITTEN, []):
        store.delete(key)


@event.listens_for(Session, "after_commit")
def _keep_files_of_committed_work(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


def max_evidence_bytes() -> int:
    mb = current_app.config.get("MAX_EVIDENCE_MB", 25) if has_app_context() else 25
    return int(mb) * 1024 * 1024


def _size_of(stream: BinaryIO) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def add_file(person: Any, checkpoint: Checkpoint, stream: BinaryIO, filename: str | None,
             label: str = "") -> Evidence:
    """Check and store an uploaded file as evidence; nothing is kept if any check fails."""
    submission = start_submission(person, checkpoint)
    _editable(submission)
    _allowed_kind(submission, "file")
    name = sanitise_name(filename)
    if not name:
        raise PortfolioError("The file has no usable name. Rename it and try again.", "file")
    size = _size_of(stream)
    limit = max_evidence_bytes()
    if size > limit:
        raise PortfolioError(f"The file is {size / 1048576:.1f} MB; the largest accepted is "
                             f"{limit // 1048576} MB. Make it smaller (for example, export a "
                             "PDF with smaller images) and try again.", "file")
    try:
        ftype = check_file(stream, name, size)
    except FileRefused as exc:
        raise PortfolioError(str(exc), "file") from exc
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    key = new_key()
    storage().save(key, stream)
    _track_written(key)
    evidence = Evidence(submission_id=submission.id, owner_id=person.id, kind="file",
                        label=(label or "").strip()[:200], storage_key=key, original_name=name,
                        content_type=ftype.content_type, size_bytes=size,
                        sha256=digest.hexdigest(), created_at=utcnow())
    db.session.add(evidence)
    db.session.flush()
    db.session.expire(submission, ["evidence"])
    audit.record("evidence.added", obj=evidence,
                 after={"submission_id": submission.id, "kind": "file", "name": name,
                        "type": ftype.key, "size": size, "sha256": evidence.sha256})
    return evidence


def save_reflection(person: Any, checkpoint: Checkpoint, body: str) -> Evidence:
    """Set the reflection in the working set (a submitted one is kept in its versions and a
    new row takes its place; an unsubmitted one is replaced)."""
    text = (body or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if not text:
        raise PortfolioError("Write your reflection before saving it.", "body")
    if len(text) > MAX_REFLECTION_CHARS:
        raise PortfolioError(f"The reflection is {len(text):,} characters; the most accepted "
                             f"is {MAX_REFLECTION_CHARS:,}.", "body")
    submission = start_submission(person, checkpoint)
    _editable(submission)
    _allowed_kind(submission, "reflection")
    current = [e for e in working_set(submission) if e.kind == "reflection"]
    if current and current[-1].body == text:
        return current[-1]
    for old in current:
        _take_out(old)
    evidence = Evidence(submission_id=submission.id, owner_id=person.id, kind="reflection",
                        label="Reflection", body=text, created_at=utcnow())
    db.session.add(evidence)
    db.session.flush()
    db.session.expire(submission, ["evidence"])
    audit.record("evidence.added", obj=evidence,
                 after={"submission_id": submission.id, "kind": "reflection",
                        "sha256": hashlib.sha256(text.encode()).hexdigest(),
                        "replaces": [e.id for e in current]})
    return evidence


def add_link(person: Any, checkpoint: Checkpoint, url: str, label: str = "") -> Evidence:
    try:
        clean = check_link(url)
    except LinkRefused as exc:
        raise PortfolioError(str(exc), "url") from exc
    submission = start_submission(person, checkpoint)
    _editable(submission)
    _allowed_kind(submission, "link")
    evidence = Evidence(submission_id=submission.id, owner_id=person.id, kind="link",
                        label=(label or "").strip()[:200], url=clean, created_at=utcnow())
    db.session.add(evidence)
    db.session.flush()
    db.session.expire(submission, ["evidence"])
    audit.record("evidence.added", obj=evidence,
                 after={"submission_id": submission.id, "kind": "link", "url": clean})
    return evidence


def _take_out(evidence: Evidence) -> None:
    """Out of the working set: a submitted row is detached (kept), a draft row deleted."""
    if evidence.locked_at is not None:
        evidence.detached_at = utcnow()
        return
    key = evidence.storage_key
    db.session.delete(evidence)
    if key:
        store = storage()
        after_commit(lambda: store.delete(key))


def remove_evidence(evidence: Evidence) -> None:
    submission = evidence.submission
    _editable(submission)
    if evidence.detached_at is not None:
        raise PortfolioError("That evidence was already removed.")
    before = {"submission_id": submission.id, "kind": evidence.kind,
              "name": evidence.display_name, "kept_in_versions": evidence.locked_at is not None}
    evidence_id = evidence.id
    _take_out(evidence)
    db.session.flush()
    audit.record("evidence.removed", object_type="evidence", object_id=evidence_id,
                 before=before)
    db.session.expire(submission, ["evidence"])


# The submission state machine's writes live in portfolios/transitions.py; callers use them here.
from portfolios.transitions import (  # noqa: E402
    SubmissionConflict,
    approve,
    content_hash,
    reopen,
    request_changes,
    requirements_problems,
    submit,
    withdraw,
)

__all__ = [
    "NotEnrolled", "PortfolioError", "SubmissionConflict", "add_file", "add_link", "approve",
    "content_hash", "find_submission", "remove_evidence", "reopen", "request_changes",
    "requirements_problems", "save_reflection", "start_submission", "submit", "withdraw",
    "working_enrolment", "working_set",
]
