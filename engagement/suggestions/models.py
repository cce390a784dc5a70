"""Curated suggestions: the programmes L&D put in front of people each month (the soft push).

One ``Suggestion`` is a programme suggested for one month (the first of the month), under a
monthly theme label, to one audience: ``managers``, ``everyone``, or the people of one ``unit``.
``position`` orders the suggestions of one group (month x audience x unit). A suggestion is
hidden (``active`` false) rather than deleted once anyone has followed it, so the funnel's
clicks keep pointing at something.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from checkpoints.models import Programme
from clearance.database import utcnow
from clearance.extensions import db

MANAGERS, EVERYONE, UNIT = "managers", "everyone", "unit"
AUDIENCES = (MANAGERS, EVERYONE, UNIT)
AUDIENCE_LABELS = {MANAGERS: "Managers", EVERYONE: "Everyone", UNIT: "One unit"}


class Suggestion(db.Model):
    __tablename__ = "suggestion"
    __table_args__ = (
        Index("ix_suggestion_month_audience", "month", "audience", "unit"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    #: the first day of the month the suggestion is for
    month: Mapped[dt.date] = mapped_column(Date)
    #: the month's theme as people read it, e.g. "Compassionate leadership"
    theme: Mapped[str] = mapped_column(String(120))
    audience: Mapped[str] = mapped_column(String(20), default=EVERYONE)
    #: the unit (``Person.unit``) for audience ``unit``; empty otherwise
    unit: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    programme: Mapped[Programme] = relationship()

    @property
    def group(self) -> tuple[dt.date, str, str]:
        """The list this suggestion is ordered within."""
        return (self.month, self.audience, self.unit)

    @property
    def audience_text(self) -> str:
        return f"Unit: {self.unit}" if self.audience == UNIT else AUDIENCE_LABELS[self.audience]
