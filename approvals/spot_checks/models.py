"""L&D spot-checks: the sampling record of every decision, the checks L&D works through, their
reasons, L&D's own (blind) scores, and the rates set per programme.

``SpotCheckSampling`` is written for *every* decision, in the decision's transaction: the draw,
the rate it was compared with, the facts the rules looked at and the reasons, so any decision's
sampling can be replayed and explained, and the calibration pages count decisions from one
narrow table. ``SpotCheck`` is one sampled (or hand-picked) decision: ``open`` -> ``claimed``
-> ``scored`` (L&D's blind scores are in) -> ``done`` (a verdict). A decision is never edited:
an overturn lives here and in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance.database import utcnow
from clearance.extensions import db

STATUSES = ("open", "claimed", "scored", "done")
VERDICTS = ("agree", "concern", "overturn")
VERDICT_LABELS = {"agree": "Agree: the decision stands",
                  "concern": "Concern: the decision stands, with feedback to the approver",
                  "overturn": "Overturn: the submission is reopened"}
VERDICT_SHORT = {"agree": "Agreed", "concern": "Concern", "overturn": "Overturned"}
#: why a decision was sampled (codes stored in SpotCheckReason.code and SpotCheckSampling.reasons)
REASONS = {
    "rate": "Random sample (base rate)",
    "adaptive": "Random sample (raised rate: low recent agreement)",
    "new_approver": "New approver",
    "quick_decision": "Decided quickly after opening",
    "short_feedback": "Short overall feedback",
    "all_top": "Every criterion at the top level",
    "below_pass": "Approved below the pass level",
    "delegated": "Decided under delegation",
    "escalated": "Decided after escalation",
    "manual": "Picked by L&D",
}


class SpotCheckSampling(db.Model):
    """How one decision was sampled (or not): written once, in the decision's transaction."""

    __tablename__ = "spot_check_sampling"
    __table_args__ = (
        Index("ix_spot_check_sampling_approver_time", "approver_id", "decided_at"),
        Index("ix_spot_check_sampling_unit_time", "unit", "decided_at"),
        Index("ix_spot_check_sampling_programme_time", "programme_id", "decided_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), unique=True)
    #: who decided (the decision's decided_by), their unit then, and the programme
    approver_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    unit: Mapped[str] = mapped_column(String(200), default="")
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    #: the seeded uniform number in [0, 1) and the rate it was compared with
    draw: Mapped[float] = mapped_column(Float)
    rate: Mapped[Decimal] = mapped_column(Numeric(6, 5))
    sampled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: reason codes (REASONS), in the order the rules found them
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: the inputs the rules looked at (sampling.DecisionFacts as plain data), for replay
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: a fingerprint of the seed the draw used (replay needs the same seed)
    seed_ref: Mapped[str] = mapped_column(String(16))
    #: hours from the work reaching the approver to the decision; characters of feedback
    hours_to_decision: Mapped[float | None] = mapped_column(Float)
    feedback_chars: Mapped[int] = mapped_column(Integer, default=0)


class SpotCheck(db.Model):
    __tablename__ = "spot_check"
    __table_args__ = (
        Index("ix_spot_check_status_created", "status", "created_at"),
        Index("ix_spot_check_approver_verdict", "approver_id", "verdict_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), unique=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    #: the decision's decided_by, their unit, the programme and decided_at (for filters)
    approver_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    unit: Mapped[str] = mapped_column(String(200), default="", index=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"), index=True)
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    #: "sampled" (at decision time) or "manual" (picked by L&D)
    origin: Mapped[str] = mapped_column(String(10), default="sampled")
    primary_reason: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    picked_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: L&D's blind assessment: when it was submitted, the outcome it suggests, overall view
    scored_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    ld_outcome: Mapped[str | None] = mapped_column(String(20))
    ld_feedback: Mapped[str] = mapped_column(Text, default="")
    verdict: Mapped[str | None] = mapped_column(String(10), index=True)
    verdict_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    verdict_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    #: written feedback to the approver (concern, overturn): shown to them until acknowledged
    approver_feedback: Mapped[str] = mapped_column(Text, default="")
    #: what the learner is told when the decision is overturned
    learner_message: Mapped[str] = mapped_column(Text, default="")
    #: L&D's own notes: never shown to the approver or the learner
    internal_notes: Mapped[str] = mapped_column(Text, default="")
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    decision = relationship("Decision")
    submission = relationship("Submission")
    learner = relationship("Person", foreign_keys=[learner_id])
    approver = relationship("Person", foreign_keys=[approver_id])
    claimed_by = relationship("Person", foreign_keys=[claimed_by_id])
    verdict_by = relationship("Person", foreign_keys=[verdict_by_id])
    picked_by = relationship("Person", foreign_keys=[picked_by_id])
    programme = relationship("Programme")
    reasons: Mapped[list[SpotCheckReason]] = relationship(
        back_populates="spot_check", cascade="all, delete-orphan",
        order_by="SpotCheckReason.position",
    )
    scores: Mapped[list[SpotCheckScore]] = relationship(
        back_populates="spot_check", cascade="all, delete-orphan",
        order_by="SpotCheckScore.position",
    )

    @property
    def agreed(self) -> bool | None:
        return None if self.verdict is None else self.verdict == "agree"

    @property
    def verdict_label(self) -> str:
        return VERDICT_SHORT.get(self.verdict or "", "Not checked yet")

    @property
    def reason_labels(self) -> list[str]:
        return [REASONS.get(r.code, r.code) for r in self.reasons]

    @property
    def needs_acknowledgement(self) -> bool:
        return self.verdict in ("concern", "overturn") and self.acknowledged_at is None


class SpotCheckReason(db.Model):
    __tablename__ = "spot_check_reason"

    spot_check_id: Mapped[int] = mapped_column(
        ForeignKey("spot_check.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[str] = mapped_column(String(300), default="")

    spot_check: Mapped[SpotCheck] = relationship(back_populates="reasons")

    @property
    def label(self) -> str:
        return REASONS.get(self.code, self.code)


class SpotCheckScore(db.Model):
    """L&D's level for one criterion beside the manager's (copied here when L&D scores, so the
    calibration figures read one table). Positions are 0 = lowest of ``scale_size`` levels."""

    __tablename__ = "spot_check_score"
    __table_args__ = (UniqueConstraint("spot_check_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spot_check_id: Mapped[int] = mapped_column(
        ForeignKey("spot_check.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id"))
    #: the criterion's identity across rubric versions, and its title then
    criterion_key: Mapped[str] = mapped_column(String(32), index=True)
    criterion_title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    ld_level_id: Mapped[int] = mapped_column(ForeignKey("rubric_level.id"))
    ld_position: Mapped[int] = mapped_column(Integer)
    manager_level_id: Mapped[int | None] = mapped_column(ForeignKey("rubric_level.id"))
    manager_position: Mapped[int | None] = mapped_column(Integer)
    scale_size: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

    spot_check: Mapped[SpotCheck] = relationship(back_populates="scores")


class ProgrammeSamplingRate(db.Model):
    """A programme's own base rate (a fraction, 0.1 = 10%) instead of the global setting."""

    __tablename__ = "spot_check_programme_rate"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"),
                                              primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(6, 5))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    programme = relationship("Programme")
