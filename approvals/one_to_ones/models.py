"""One-to-one series and their meetings.

A :class:`Series` is a recurring slot (weekday, local time, IANA time zone, every one or two
weeks) between a manager and one direct report. Its occurrences are computed from the rule
(``schedule.py``); a :class:`Meeting` row exists for an occurrence once something is written
about it (notes, talking points, a decision, a reminder) or the daily job materialises it.
Private notes live in their own table so that nothing that loads a meeting for the report can
carry them by accident.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from approvals.models import Decision
from clearance.database import utcnow
from clearance.extensions import db

SERIES_STATUSES = ("active", "paused", "ended")
MEETING_STATUSES = ("upcoming", "held", "cancelled")
DEFAULT_TIMEZONE = "Europe/London"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def new_uid() -> str:
    return f"{uuid.uuid4().hex}@clearance"


class Series(db.Model):
    __tablename__ = "one_to_one_series"
    __table_args__ = (Index("ix_one_to_one_series_pair", "manager_id", "report_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    #: 0 = Monday
    weekday: Mapped[int] = mapped_column(Integer)
    #: local wall-clock time in ``timezone``: 09:00 stays 09:00 across daylight saving
    start_time: Mapped[dt.time] = mapped_column(Time)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    #: 1 = weekly, 2 = fortnightly
    interval_weeks: Mapped[int] = mapped_column(Integer, default=1)
    #: the date the series was set up to start
    start_date: Mapped[dt.date] = mapped_column(Date)
    #: the first occurrence of the current rule (moves when the series is moved)
    anchor_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    #: while paused: no occurrences on or after this date
    paused_from: Mapped[dt.date | None] = mapped_column(Date)
    #: when ended: no occurrences on or after this date
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(String(200), default="")
    #: the calendar identity: never changes, whatever is edited
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=new_uid)
    #: the calendar revision: bumped on every change calendars must pick up
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    manager = relationship("Person", foreign_keys=[manager_id], lazy="joined")
    report = relationship("Person", foreign_keys=[report_id], lazy="joined")

    @property
    def frequency_label(self) -> str:
        return "Weekly" if self.interval_weeks == 1 else "Fortnightly"

    @property
    def weekday_label(self) -> str:
        return WEEKDAYS[self.weekday]

    @property
    def is_open(self) -> bool:
        return self.status != "ended"

    def party(self, person_id: int) -> bool:
        return person_id in (self.manager_id, self.report_id)

    def other(self, person_id: int) -> object:
        return self.report if person_id == self.manager_id else self.manager


class Meeting(db.Model):
    __tablename__ = "one_to_one_meeting"
    __table_args__ = (UniqueConstraint("series_id", "occurs_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("one_to_one_series.id",
                                                      ondelete="CASCADE"))
    #: the occurrence's local date (its identity within the series)
    occurs_on: Mapped[dt.date] = mapped_column(Date, index=True)
    #: when it starts, in UTC (computed from the series' local time and time zone)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    status: Mapped[str] = mapped_column(String(20), default="upcoming", index=True)
    shared_notes: Mapped[str] = mapped_column(Text, default="")
    #: bumped on every save of the shared notes; a save must name the value it saw
    notes_version: Mapped[int] = mapped_column(Integer, default=0)
    held_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    series: Mapped[Series] = relationship(lazy="joined", innerjoin=True)

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_materialised(self) -> bool:
        return self.id is not None

    @property
    def status_label(self) -> str:
        return {"upcoming": "Upcoming", "held": "Held", "cancelled": "Cancelled"}.get(
            self.status, self.status)


class PrivateNote(db.Model):
    """The manager's own notes on a meeting: never shown to the report."""

    __tablename__ = "one_to_one_private_note"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("one_to_one_meeting.id", ondelete="CASCADE"), primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    body: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TalkingPoint(db.Model):
    __tablename__ = "one_to_one_talking_point"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("one_to_one_meeting.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    body: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: set when a point left open at a held meeting was carried on to the next one
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("one_to_one_meeting.id"))

    author = relationship("Person", foreign_keys=[author_id], lazy="joined")


class ActionItem(db.Model):
    """Agreed in a meeting; shows on every later agenda of the series until it is done."""

    __tablename__ = "one_to_one_action"
    __table_args__ = (Index("ix_one_to_one_action_open", "series_id", "done_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("one_to_one_series.id",
                                                      ondelete="CASCADE"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("one_to_one_meeting.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    body: Mapped[str] = mapped_column(String(500))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    owner = relationship("Person", foreign_keys=[owner_id], lazy="joined")
    meeting: Mapped[Meeting] = relationship(foreign_keys=[meeting_id])


class Carry(db.Model):
    """A decision left undecided at a held meeting, carried on to the next meeting's agenda."""

    __tablename__ = "one_to_one_carry"
    __table_args__ = (UniqueConstraint("meeting_id", "step_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("one_to_one_meeting.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("approval_step.id", ondelete="CASCADE"))
    from_meeting_id: Mapped[int] = mapped_column(ForeignKey("one_to_one_meeting.id"))


class Reminder(db.Model):
    """One per meeting: the unique meeting id makes the reminder job safe to run twice."""

    __tablename__ = "one_to_one_reminder"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("one_to_one_meeting.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))


class Preferences(db.Model):
    """Per person: the reminder opt-out and the calendar feed's secret (stored as a hash)."""

    __tablename__ = "one_to_one_preferences"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                           primary_key=True)
    reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    #: sha256 of the feed token; None when there is no feed (never made, or revoked)
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    feed_created_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


# The development record says "approved in the 1:1 of 12 March": a decision knows its meeting.
Decision.meeting = relationship(Meeting, foreign_keys=[Decision.meeting_id], viewonly=True)

__all__ = ["ActionItem", "Carry", "Meeting", "Preferences", "PrivateNote", "Reminder", "Series",
           "TalkingPoint"]
