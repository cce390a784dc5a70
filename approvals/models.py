"""Approval steps (who must decide which version at which level) and decisions.

A step is one approver's responsibility for one submitted version at one level. Moving work
(escalation, reassignment) closes the step with that status and opens a new one, so a step's
history is its chain of ``previous_step_id``. At most one step per (version, level) is pending
(a partial unique index); exactly one decision per step (a unique constraint plus the
conditional UPDATE in ``approvals.operations.decide``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance.database import utcnow
from clearance.extensions import db

STEP_STATUSES = ("pending", "decided", "escalated", "reassigned", "cancelled")
OUTCOMES = ("approved", "changes_requested")
OUTCOME_LABELS = {"approved": "Approved", "changes_requested": "Changes requested"}


class ApprovalStep(db.Model):
    __tablename__ = "approval_step"
    __table_args__ = (
        Index("uq_approval_step_one_pending", "version_id", "level", unique=True,
              sqlite_where=text("status = 'pending'"),
              postgresql_where=text("status = 'pending'")),
        Index("ix_approval_step_queue", "approver_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("submission_version.id", ondelete="CASCADE"), index=True
    )
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"),
                                               index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    #: the responsible approver (org chart, or the escalation/reassignment target)
    approver_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    #: why this approver: "line manager", "skip-level manager", "escalated: ...", ...
    reason: Mapped[str] = mapped_column(String(200), default="")
    previous_step_id: Mapped[int | None] = mapped_column(ForeignKey("approval_step.id"))
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: when it escalates if still pending (working days after it reached this approver)
    escalate_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: bumped on every change; a decision must name the value it saw
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    approver = relationship("Person", foreign_keys=[approver_id])
    learner = relationship("Person", foreign_keys=[learner_id])
    version = relationship("SubmissionVersion")
    submission = relationship("Submission")
    previous: Mapped[ApprovalStep | None] = relationship(remote_side="ApprovalStep.id")
    decision: Mapped[Decision | None] = relationship(back_populates="step", uselist=False)


class Decision(db.Model):
    """Immutable once written; corrections are new events (e.g. an L&D overturn)."""

    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("step_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("approval_step.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("submission_version.id"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    overall_feedback: Mapped[str] = mapped_column(Text)
    #: required when approving with a criterion below the pass level
    justification: Mapped[str] = mapped_column(Text, default="")
    rubric_version_id: Mapped[int | None] = mapped_column(ForeignKey("rubric_version.id"))
    total_points: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    rubric_passed: Mapped[bool | None] = mapped_column(Boolean)
    #: sha256 of the submission version's content as the approver saw it
    content_hash: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    #: when the decider opened the review page (from a signed form field; a risk signal for
    #: spot-checks: a very quick decision may not be a full assessment)
    review_started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    #: set when a delegate or an escalation target decided for the responsible approver
    acting_for_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    acting_reason: Mapped[str] = mapped_column(String(200), default="")
    #: the one-to-one meeting the decision was made in, if any
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("one_to_one_meeting.id"),
                                                   index=True)

    step: Mapped[ApprovalStep] = relationship(back_populates="decision")
    decided_by = relationship("Person", foreign_keys=[decided_by_id])
    acting_for = relationship("Person", foreign_keys=[acting_for_id])
    scores: Mapped[list[DecisionScore]] = relationship(
        back_populates="decision", order_by="DecisionScore.position",
        cascade="all, delete-orphan",
    )

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)


class DecisionScore(db.Model):
    __tablename__ = "decision_score"
    __table_args__ = (UniqueConstraint("decision_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"),
                                             index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id"))
    level_id: Mapped[int] = mapped_column(ForeignKey("rubric_level.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    comment: Mapped[str] = mapped_column(Text, default="")

    decision: Mapped[Decision] = relationship(back_populates="scores")
