"""Read-side queries the learner's pages share. Each page costs a fixed number of statements,
whatever the size of the organisation or the portfolio."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask import g
from sqlalchemy import select

from checkpoints import queries as cq
from checkpoints.models import Checkpoint, Enrolment, Programme
from clearance.extensions import db
from portfolios.models import Evidence, Submission, SubmissionVersion

ACTION_STATES = ("changes_requested", "reopened")
FEEDBACK_STATES = ("approved", "changes_requested", "reopened")


@cq.register_usage_check
def checkpoints_with_submissions(checkpoint_ids: list[int]) -> set[int]:
    """Checkpoints someone has started work on cannot be removed from their programme."""
    return set(db.session.scalars(
        select(Submission.checkpoint_id).distinct()
        .where(Submission.checkpoint_id.in_(checkpoint_ids))
    ))


def submissions_by_checkpoint(person_id: int, checkpoint_ids: list[int]) -> dict[int, Submission]:
    if not checkpoint_ids:
        return {}
    rows = db.session.scalars(select(Submission).where(
        Submission.person_id == person_id, Submission.checkpoint_id.in_(checkpoint_ids)))
    return {s.checkpoint_id: s for s in rows}


@dataclass
class CheckpointLine:
    checkpoint: Checkpoint
    submission: Submission | None
    due: dt.date | None

    @property
    def state(self) -> str:
        return self.submission.state if self.submission else "not_started"

    @property
    def overdue(self) -> bool:
        return bool(self.due and self.due < cq.today() and self.state != "approved")

    @property
    def done(self) -> bool:
        """As programme completion counts it: a summative checkpoint once approved, a formative
        one (feedback only, nothing approves it) once sent in."""
        if self.checkpoint.kind == "formative":
            return self.state in ("submitted", "approved")
        return self.state == "approved"


@dataclass
class ProgrammeProgress:
    enrolment: Enrolment
    programme: Programme
    lines: list[CheckpointLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.lines)

    @property
    def approved(self) -> int:
        return sum(1 for line in self.lines if line.state == "approved")

    @property
    def done(self) -> int:
        return sum(1 for line in self.lines if line.done)

    @property
    def completed(self) -> bool:
        return self.enrolment.status == "completed"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class Dashboard:
    programmes: list[ProgrammeProgress]
    next_up: list[CheckpointLine]
    needs_action: list[CheckpointLine]
    feedback: list[CheckpointLine]


def dashboard(person: Any) -> Dashboard:
    """Everything the learner's home panels show: 4 statements (enrolments, programmes,
    checkpoints, submissions), cached for the request."""
    cached = g.get("portfolio_dashboard")
    if cached is not None and cached[0] == person.id:
        return cached[1]
    progress: list[ProgrammeProgress] = []
    for enrolment in cq.my_programmes(person):
        progress.append(ProgrammeProgress(enrolment, enrolment.programme))
    ids = [cp.id for p in progress for cp in p.programme.checkpoints]
    subs = submissions_by_checkpoint(person.id, ids)
    lines: list[CheckpointLine] = []
    for p in progress:
        for cp in p.programme.checkpoints:
            line = CheckpointLine(cp, subs.get(cp.id), cq.due_date(p.enrolment, cp))
            p.lines.append(line)
            lines.append(line)
    far = dt.date.max
    next_up = sorted((ln for ln in lines if ln.state in ("not_started", "draft", "withdrawn")),
                     key=lambda ln: (ln.due or far, ln.checkpoint.position))[:5]
    action = [ln for ln in lines if ln.state in ACTION_STATES]
    feedback = sorted((ln for ln in lines if ln.state in FEEDBACK_STATES),
                      key=lambda ln: ln.submission.state_changed_at,  # type: ignore[union-attr]
                      reverse=True)[:5]
    result = Dashboard(progress, next_up, action, feedback)
    g.portfolio_dashboard = (person.id, result)
    return result


@dataclass
class PortfolioGroup:
    programme: Programme
    rows: list[tuple[Checkpoint, Submission]]


def portfolio(person_id: int) -> list[PortfolioGroup]:
    """Every submission the person has, grouped by programme: one statement."""
    rows = db.session.execute(
        select(Submission, Checkpoint, Programme)
        .join(Checkpoint, Checkpoint.id == Submission.checkpoint_id)
        .join(Programme, Programme.id == Checkpoint.programme_id)
        .where(Submission.person_id == person_id)
        .order_by(Programme.title, Programme.id, Checkpoint.position, Checkpoint.id)
    ).all()
    groups: dict[int, PortfolioGroup] = {}
    for submission, checkpoint, programme in rows:
        group = groups.setdefault(programme.id, PortfolioGroup(programme, []))
        group.rows.append((checkpoint, submission))
    return list(groups.values())


def versions_with_evidence(submission: Submission) -> list[SubmissionVersion]:
    """The submission's versions with their evidence loaded (two statements)."""
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(
        select(SubmissionVersion).where(SubmissionVersion.submission_id == submission.id)
        .options(selectinload(SubmissionVersion.evidence))
        .order_by(SubmissionVersion.number)
    ))


def working_set(submission: Submission | None) -> list[Evidence]:
    if submission is None:
        return []
    return list(db.session.scalars(
        select(Evidence).where(Evidence.submission_id == submission.id,
                               Evidence.detached_at.is_(None)).order_by(Evidence.id)
    ))


def reflection_text(items: list[Evidence]) -> str:
    return "\n\n".join(e.body or "" for e in items if e.kind == "reflection")


@dataclass
class VersionDiff:
    old: SubmissionVersion
    new: SubmissionVersion
    added: list[Evidence]
    removed: list[Evidence]
    kept: list[Evidence]
    reflection: list[Any]


def diff(old: SubmissionVersion, new: SubmissionVersion) -> VersionDiff:
    from portfolios.text import text_diff

    old_ids = {e.id for e in old.evidence}
    new_ids = {e.id for e in new.evidence}
    return VersionDiff(
        old, new,
        added=[e for e in new.evidence if e.id not in old_ids and e.kind != "reflection"],
        removed=[e for e in old.evidence if e.id not in new_ids and e.kind != "reflection"],
        kept=[e for e in new.evidence if e.id in old_ids and e.kind != "reflection"],
        reflection=text_diff(reflection_text(old.evidence), reflection_text(new.evidence)),
    )
