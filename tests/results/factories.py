"""Rows with exact timestamps for the results figures (no operations: the figures read what is
stored, and the scenario needs submissions and decisions on chosen days)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from approvals.models import ApprovalStep, Decision
from approvals.spot_checks.models import SpotCheck
from checkpoints.models import Checkpoint, Enrolment, Programme
from clearance.extensions import db
from portfolios.models import Submission, SubmissionVersion

_n = itertools.count(1)


def at(day: str, hour: int = 12) -> dt.datetime:
    """'2026-03-04' at ``hour`` UTC."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=dt.UTC)


def programme(title: str = "", kind: str = "elective") -> Programme:
    prog = Programme(title=title or f"Programme {next(_n)}", summary="", theme="Leadership",
                     audience="everyone", kind=kind, status="published")
    db.session.add(prog)
    db.session.flush()
    return prog


def decision(learner: Any, approver: Any, *, submitted: dt.datetime, decided: dt.datetime,
             level: int = 1, outcome: str = "approved", prog: Programme | None = None
             ) -> Decision:
    """A submission (its own checkpoint) whose version was submitted at ``submitted`` and
    decided at ``decided`` at ``level``."""
    prog = prog or programme()
    cp = Checkpoint(programme_id=prog.id, position=next(_n), title=f"Checkpoint {next(_n)}",
                    kind="summative", approval_levels=level)
    db.session.add(cp)
    db.session.flush()
    sub = Submission(person_id=learner.id, checkpoint_id=cp.id, state=outcome, version_count=1,
                     created_at=submitted, state_changed_at=decided, submitted_at=submitted)
    db.session.add(sub)
    db.session.flush()
    version = SubmissionVersion(submission_id=sub.id, number=1, submitted_at=submitted,
                                submitted_by_id=learner.id, content_hash="0" * 64,
                                outcome=outcome, outcome_at=decided)
    db.session.add(version)
    db.session.flush()
    step = ApprovalStep(version_id=version.id, submission_id=sub.id, learner_id=learner.id,
                        level=level, approver_id=approver.id, status="decided",
                        created_at=submitted, closed_at=decided)
    db.session.add(step)
    db.session.flush()
    row = Decision(step_id=step.id, version_id=version.id, submission_id=sub.id,
                   learner_id=learner.id, level=level, outcome=outcome,
                   overall_feedback="Feedback.", content_hash="0" * 64, decided_at=decided,
                   decided_by_id=approver.id)
    db.session.add(row)
    db.session.flush()
    return row


def enrolment(person: Any, prog: Programme, *, enrolled: dt.datetime, source: str = "self",
              completed: dt.datetime | None = None, left: dt.datetime | None = None,
              status: str | None = None) -> Enrolment:
    row = Enrolment(person_id=person.id, programme_id=prog.id, source=source,
                    status=status or ("completed" if completed else "left" if left
                                      else "active"),
                    enrolled_at=enrolled, completed_at=completed, left_at=left)
    db.session.add(row)
    db.session.flush()
    return row


def check(made: Decision, verdict: str | None, ld: Any) -> SpotCheck:
    """A spot-check of ``made`` with ``verdict`` (None: still open)."""
    row = SpotCheck(decision_id=made.id, submission_id=made.submission_id,
                    learner_id=made.learner_id, approver_id=made.decided_by_id, unit="Ward 1",
                    decided_at=made.decided_at, primary_reason="rate",
                    status="done" if verdict else "open", verdict=verdict,
                    verdict_at=made.decided_at + dt.timedelta(days=3) if verdict else None,
                    verdict_by_id=ld.id if verdict else None)
    db.session.add(row)
    db.session.flush()
    return row
