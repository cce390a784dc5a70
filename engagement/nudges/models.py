"""Nudges: what was delivered (the idempotency ledger), each person's choices, certificates.

:class:`NudgeDelivery` has one row per (person, kind, subject, period), unique: the hourly run
inserts the row first and sends only when its insert took, so a rerun, or two workers at once,
never send the same nudge twice. :class:`NudgePreference` holds only the choices someone
changed (no row: both channels on). :class:`Certificate` is the recognition of one completed
enrolment; it is withdrawn (kept, never deleted) when the completion stops holding.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance.database import utcnow
from clearance.extensions import db

DUE_SOON = "due_soon"
OVERDUE = "overdue"
CHANGES_REQUESTED = "changes_requested"
THEME_RELEASED = "theme_released"
APPROVER_DIGEST = "approver_digest"
TEAM_OVERDUE = "team_overdue"
RECOGNITION = "recognition"
KINDS = (DUE_SOON, OVERDUE, CHANGES_REQUESTED, THEME_RELEASED, APPROVER_DIGEST, TEAM_OVERDUE,
         RECOGNITION)

KIND_LABELS = {
    DUE_SOON: "A checkpoint is due soon",
    OVERDUE: "A checkpoint is overdue",
    CHANGES_REQUESTED: "Changes were asked for and are still waiting",
    THEME_RELEASED: "A new monthly theme is released",
    APPROVER_DIGEST: "Weekly digest of work waiting for your decision",
    TEAM_OVERDUE: "Weekly list of your team's overdue checkpoints",
    RECOGNITION: "You completed a programme",
}
KIND_HINTS = {
    DUE_SOON: "A few days before a checkpoint's due date, if you have not sent it in.",
    OVERDUE: "The day after a due date passes, then once a week (four reminders at most).",
    CHANGES_REQUESTED: "When your manager asked for changes some days ago and you have not "
                       "resubmitted.",
    THEME_RELEASED: "Once a month at most: new learning for your audience.",
    APPROVER_DIGEST: "Only if you approve other people's work: the day before your usual "
                     "one-to-one day.",
    TEAM_OVERDUE: "Only if you manage people and some of their checkpoints are past due: "
                  "once a week, on your digest day.",
    RECOGNITION: "Your certificate when every checkpoint of a programme is done.",
}

QUIET_MODES = ("default", "custom", "off")

#: what became of a delivery's e-mail (``flask nudges status``): sent; kept (in the outbox, no
#: SMTP configured); pending (queued, not tried yet); failed (the outbox retries it); held
#: (recognition waiting for quiet hours to end); none (in-app only); unknown (e-mailed before
#: deliveries recorded their outbox row)
MAIL_STATES = ("sent", "kept", "pending", "failed", "held", "none", "unknown")


class NudgeDelivery(db.Model):
    __tablename__ = "nudge_delivery"
    __table_args__ = (
        UniqueConstraint("person_id", "kind", "subject", "period"),
        Index("ix_nudge_delivery_kind_created_at", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(String(30))
    #: what it is about: ``checkpoint:12``, ``submission:40``, ``theme:leadership``, ...
    subject: Mapped[str] = mapped_column(String(120))
    #: which occurrence: a due date, a month, a digest day, a completion time
    period: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    notified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    mailed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: recognition only: the e-mail waits for the end of the person's quiet hours
    mail_pending: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    #: the outbox e-mail this delivery produced (its status says whether it went); None when
    #: no e-mail was made (in-app only, held by quiet hours, or from before this was recorded)
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="SET NULL"), index=True)


class NudgePreference(db.Model):
    __tablename__ = "nudge_preference"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                           primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NudgeQuietHours(db.Model):
    """A person's own quiet hours (no row: the organisation's default)."""

    __tablename__ = "nudge_quiet_hours"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                           primary_key=True)
    #: default (the organisation's hours), custom (start/end below) or off (none)
    mode: Mapped[str] = mapped_column(String(10), default="default")
    start: Mapped[dt.time | None] = mapped_column(Time)
    end: Mapped[dt.time | None] = mapped_column(Time)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Certificate(db.Model):
    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"),
                                              unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    completed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: set when the completion stopped holding (a checkpoint reopened); cleared on reissue
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: sha256 of the share link's secret (the secret itself is shown once, never stored)
    share_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    shared_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    person = relationship("Person", foreign_keys=[person_id])
    programme = relationship("Programme")

    @property
    def is_valid(self) -> bool:
        return self.withdrawn_at is None

    @property
    def is_shared(self) -> bool:
        return self.share_token_hash is not None and self.withdrawn_at is None
