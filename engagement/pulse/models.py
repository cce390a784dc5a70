"""The learner pulse: three optional questions after a decision, anonymous in aggregate.

Two tables that cannot be joined:

* :class:`PulseResponse` holds the answers with only coarse context (the decision's programme,
  checkpoint kind and approver level, and the *month the answer was given*) and no person, no
  decision and no timestamp. Its key is random and, on SQLite, the table has no rowid, so
  neither the key nor the storage order follows the order answers came in.
* :class:`PulseAnswered` holds (decision, person) only, to offer the pulse once per decision and
  refuse a second answer; it has no timestamp and no link to the response.

Nothing in the product reads a single response: L&D sees aggregates over at least
``PULSE_MIN_RESPONSES`` answers (engagement.pulse.queries), managers see nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, Date, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from clearance.extensions import db

#: "which activity did you find most valuable" (one or more)
ACTIVITIES = ("activities", "formative", "summative", "feedback")
ACTIVITY_LABELS = {
    "activities": "The learning activities",
    "formative": "Formative checkpoints (feedback, no sign-off)",
    "summative": "Summative checkpoints (signed off against a rubric)",
    "feedback": "My manager's feedback",
}
SCALE = (1, 2, 3, 4, 5)


def _random_key() -> str:
    return uuid.uuid4().hex


class PulseResponse(db.Model):
    """One learner's answers, without any link to the learner or the decision."""

    __tablename__ = "pulse_response"
    __table_args__ = (
        Index("ix_pulse_response_month_programme", "month", "programme_id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_random_key)
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme.id", ondelete="SET NULL"))
    checkpoint_kind: Mapped[str] = mapped_column(String(20))
    approver_level: Mapped[int] = mapped_column(SmallInteger)
    #: the first day of the month the answer was given
    month: Mapped[dt.date] = mapped_column(Date)
    chose_activities: Mapped[bool] = mapped_column(Boolean, default=False)
    chose_formative: Mapped[bool] = mapped_column(Boolean, default=False)
    chose_summative: Mapped[bool] = mapped_column(Boolean, default=False)
    chose_feedback: Mapped[bool] = mapped_column(Boolean, default=False)
    #: 1-5: how useful the checkpoint was
    usefulness: Mapped[int] = mapped_column(SmallInteger)
    #: 1-5: did the manager's feedback help
    feedback_helped: Mapped[int] = mapped_column(SmallInteger)


class PulseAnswered(db.Model):
    """That ``person_id`` answered the pulse for ``decision_id`` (never what they answered)."""

    __tablename__ = "pulse_answered"

    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decision.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
