"""Rubrics: a rubric has versions; a version has ordered criteria, each with ordered levels.

A published version is immutable once anything pins it (``pinned_at`` set): edits make a new
draft version. Decisions store the version they were made against.
"""

from __future__ import annotations

import datetime as dt
import uuid
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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance.database import utcnow
from clearance.extensions import db

RUBRIC_STATUSES = ("draft", "published", "archived")
VERSION_STATUSES = ("draft", "published")
PASS_COMBINE = ("all", "any")


def new_criterion_key() -> str:
    """A criterion's identity across the versions of its rubric (copied into each new draft)."""
    return uuid.uuid4().hex[:16]


class Rubric(db.Model):
    __tablename__ = "rubric"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    versions: Mapped[list[RubricVersion]] = relationship(
        back_populates="rubric", order_by="RubricVersion.number",
        cascade="all, delete-orphan",
    )


class RubricVersion(db.Model):
    __tablename__ = "rubric_version"
    __table_args__ = (UniqueConstraint("rubric_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="CASCADE"),
                                           index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    #: True: every criterion uses the version's shared scale; False: each has its own levels
    shared_scale: Mapped[bool] = mapped_column(Boolean, default=True)
    #: pass rule: every criterion at or above the level at this position (0 = lowest) ...
    pass_min_position: Mapped[int | None] = mapped_column(Integer)
    #: ... and/or the total points at or above this threshold
    pass_min_points: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    #: how the two parts combine when both are set: "all" (both must hold) or "any"
    pass_combine: Mapped[str] = mapped_column(String(8), default="all")
    change_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: set the first time a checkpoint pins this version; from then on it is immutable
    pinned_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    rubric: Mapped[Rubric] = relationship(back_populates="versions")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="version", order_by="Criterion.position", cascade="all, delete-orphan",
    )
    scale: Mapped[list[Level]] = relationship(
        primaryjoin="and_(Level.version_id == RubricVersion.id, Level.criterion_id.is_(None))",
        order_by="Level.position", cascade="all, delete-orphan", overlaps="levels",
    )

    @property
    def is_immutable(self) -> bool:
        return self.pinned_at is not None

    def levels_for(self, criterion: Criterion) -> list[Level]:
        return list(self.scale) if self.shared_scale else list(criterion.levels)


class Criterion(db.Model):
    __tablename__ = "rubric_criterion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("rubric_version.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    #: stable across versions: matches a criterion to its earlier self (history, comment bank)
    key: Mapped[str] = mapped_column(String(32), default=new_criterion_key)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    comment_required: Mapped[bool] = mapped_column(Boolean, default=False)

    version: Mapped[RubricVersion] = relationship(back_populates="criteria")
    levels: Mapped[list[Level]] = relationship(
        back_populates="criterion", order_by="Level.position", cascade="all, delete-orphan",
        overlaps="scale",
    )


class Level(db.Model):
    """A level of the shared scale (criterion_id NULL) or of one criterion."""

    __tablename__ = "rubric_level"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("rubric_version.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int | None] = mapped_column(
        ForeignKey("rubric_criterion.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # 0 = lowest
    name: Mapped[str] = mapped_column(String(80))
    descriptor: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=0)

    criterion: Mapped[Criterion | None] = relationship(back_populates="levels",
                                                       overlaps="scale")


class CommentSnippet(db.Model):
    """A reusable feedback snippet in a criterion's comment bank.

    The bank belongs to the rubric and the criterion's stable ``key``, so it carries over to
    every version of the rubric that keeps the criterion.
    """

    __tablename__ = "rubric_comment_snippet"
    __table_args__ = (Index("ix_rubric_comment_snippet_bank", "rubric_id", "criterion_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="CASCADE"))
    criterion_key: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
