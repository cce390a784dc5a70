"""The level-3 application check: N days after a summative checkpoint is finally approved, the
learner's line manager says whether the learner is applying it on the job.

One row per submission, made at the final approval (``handoff.register_approved_handler``) with
``due_on``; it is an open task from ``due_on`` until answered. The check belongs to whoever is
the learner's line manager *now* (``Person.manager_id`` read when it is shown, answered or
notified), so it follows the learner when they move; ``manager_id`` keeps who it was at
approval, ``answered_by_id`` who answered and ``notified_manager_id`` who was last told.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance.database import utcnow
from clearance.extensions import db

#: the manager's answer
YES, PARTLY, NOT_YET = "yes", "partly", "not_yet"
ANSWERS = (YES, PARTLY, NOT_YET)
ANSWER_LABELS = {YES: "Yes", PARTLY: "Partly", NOT_YET: "Not yet"}
#: an unanswered check counts as overdue this many days after it came due
OVERDUE_AFTER_DAYS = 14


class ApplicationCheck(db.Model):
    __tablename__ = "application_check"
    __table_args__ = (
        Index("ix_application_check_open", "answered_at", "due_on"),
        Index("ix_application_check_programme_due", "programme_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: one check per submission (a later re-approval after a reopen keeps the first)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), unique=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoint.id"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    #: the final approving decision, when approvals recorded one
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id", ondelete="SET NULL"))
    #: the learner's line manager at approval (the record; the task goes to the current one)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    approved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    #: the days used (the checkpoint's own, or the setting at approval time)
    days: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: the due notice: when, and to whom (a new line manager is told again)
    notified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    notified_manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    answer: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    measure_name: Mapped[str] = mapped_column(String(200), default="")
    measure_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    measure_unit: Mapped[str] = mapped_column(String(60), default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    learner = relationship("Person", foreign_keys=[learner_id])
    answered_by = relationship("Person", foreign_keys=[answered_by_id])
    submission = relationship("Submission")
    checkpoint = relationship("Checkpoint")
    programme = relationship("Programme")

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    @property
    def answer_label(self) -> str:
        return ANSWER_LABELS.get(self.answer or "", "Not answered yet")

    def is_due(self, today: dt.date) -> bool:
        return self.due_on <= today

    def is_overdue(self, today: dt.date) -> bool:
        return not self.answered and self.due_on + dt.timedelta(days=OVERDUE_AFTER_DAYS) < today

    @property
    def measure_text(self) -> str:
        """"handover incidents per month: 2" (empty when no measure was given)."""
        if not self.measure_name:
            return ""
        if self.measure_value is None:
            return self.measure_name
        value = f"{self.measure_value.normalize():f}"
        unit = f" {self.measure_unit}" if self.measure_unit else ""
        return f"{self.measure_name}: {value}{unit}"
