"""Programmes (learning series), their ordered checkpoints, and enrolments."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance.database import utcnow
from clearance.extensions import db
from people.models import Person

AUDIENCES = ("everyone", "managers")
PROGRAMME_KINDS = ("elective", "mandatory")
PROGRAMME_STATUSES = ("draft", "published", "archived")
CHECKPOINT_KINDS = ("formative", "summative")
EVIDENCE_KINDS = ("file", "reflection", "link")
ENROLMENT_SOURCES = ("assigned", "self")
ENROLMENT_STATUSES = ("active", "left", "completed", "removed")
#: an enrolment in one of these states no longer counts; enrolling again reactivates the row
ENROLMENT_ENDED = ("left", "removed")


class Programme(db.Model):
    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    theme: Mapped[str] = mapped_column(String(120), default="", index=True)
    audience: Mapped[str] = mapped_column(String(20), default="everyone", index=True)
    release_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(20), default="elective")
    open_in_catalogue: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    checkpoints: Mapped[list[Checkpoint]] = relationship(
        back_populates="programme", order_by="Checkpoint.position",
    )

    @property
    def is_elective(self) -> bool:
        return self.kind == "elective"

    def is_released(self, today: dt.date) -> bool:
        """Released on or before ``today`` (no release date: released as soon as published)."""
        return self.release_date is None or self.release_date <= today


class Checkpoint(db.Model):
    __tablename__ = "checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    guidance: Mapped[str] = mapped_column(Text, default="")
    min_evidence: Mapped[int] = mapped_column(Integer, default=1)
    #: comma-separated subset of EVIDENCE_KINDS
    allowed_evidence: Mapped[str] = mapped_column(String(60), default="file,reflection,link")
    due_offset_days: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), default="summative")
    #: 1 = line manager; 2 = line manager then skip-level
    approval_levels: Mapped[int] = mapped_column(Integer, default=1)
    rubric_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("rubric_version.id"), index=True
    )
    #: summative: days after the final approval that the line manager is asked whether the
    #: learner applies it on the job (None: the APPLICATION_CHECK_DAYS setting; 0: never)
    application_check_days: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    programme: Mapped[Programme] = relationship(back_populates="checkpoints")

    @property
    def allowed_kinds(self) -> tuple[str, ...]:
        return tuple(k for k in self.allowed_evidence.split(",") if k)

    @property
    def is_summative(self) -> bool:
        return self.kind == "summative"


class Enrolment(db.Model):
    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("person_id", "programme_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    #: "assigned" (pushed by L&D) or "self" (pulled from the catalogue)
    source: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    enrolled_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    left_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    programme: Mapped[Programme] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])

    @property
    def is_active(self) -> bool:
        return self.status == "active"
