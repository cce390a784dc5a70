"""Out-of-office delegation windows: while a window is open, the person's approvals go to the
delegate (the decision records "acting for"); they come back when it closes. Windows are
read at the moment routing acts, so nothing has to move when a window opens or closes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, DateTime, ForeignKey, Integer, Text, and_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance import audit
from clearance.database import as_utc, utcnow
from clearance.extensions import db
from people.models import Person


class Delegation(db.Model):
    __tablename__ = "delegation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    delegate: Mapped[Person] = relationship(foreign_keys=[delegate_id])

    def status(self, at: dt.datetime) -> str:
        """cancelled, active, ended or upcoming, at ``at``."""
        if self.cancelled_at is not None:
            return "cancelled"
        if self.is_open(at):
            return "active"
        return "ended" if as_utc(self.ends_at) <= at else "upcoming"  # type: ignore[operator]

    def is_open(self, at: dt.datetime) -> bool:
        start, end = as_utc(self.starts_at), as_utc(self.ends_at)
        return self.cancelled_at is None and start <= at < end  # type: ignore[operator]


class DelegationError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def open_clause(at: dt.datetime) -> ColumnElement[bool]:
    """SQL condition: the window is open at ``at`` (start inclusive, end exclusive)."""
    return and_(Delegation.cancelled_at.is_(None), Delegation.starts_at <= at,
                Delegation.ends_at > at)


def open_delegation(person_id: int, at: dt.datetime | None = None) -> Delegation | None:
    """The window open for ``person_id`` at ``at`` (the latest-starting one if several)."""
    at = at or utcnow()
    return db.session.scalar(
        select(Delegation).where(Delegation.person_id == person_id, open_clause(at))
        .order_by(Delegation.starts_at.desc(), Delegation.id.desc()).limit(1)
    )


def delegators_of(delegate_id: int, at: dt.datetime | None = None) -> list[int]:
    """People whose approvals ``delegate_id`` holds at ``at``."""
    at = at or utcnow()
    return list(db.session.scalars(
        select(Delegation.person_id).where(Delegation.delegate_id == delegate_id, open_clause(at))
    ))


def windows_for(person_id: int) -> list[Delegation]:
    return list(db.session.scalars(
        select(Delegation).where(Delegation.person_id == person_id)
        .order_by(Delegation.starts_at.desc())
    ))


def create_delegation(person: Person, delegate: Person, starts_at: dt.datetime,
                      ends_at: dt.datetime, note: str = "") -> Delegation:
    starts_at, ends_at = as_utc(starts_at), as_utc(ends_at)  # type: ignore[assignment]
    if delegate.id == person.id:
        raise DelegationError("Choose someone other than yourself.", "delegate")
    if not delegate.active:
        raise DelegationError(f"{delegate.name} is not active.", "delegate")
    if ends_at <= starts_at:
        raise DelegationError("The end must be after the start.", "ends_at")
    overlap = db.session.scalar(
        select(Delegation).where(Delegation.person_id == person.id,
                                 Delegation.cancelled_at.is_(None),
                                 Delegation.starts_at < ends_at, Delegation.ends_at > starts_at)
    )
    if overlap:
        raise DelegationError("This overlaps another out-of-office window of yours; "
                              "cancel that one first.", "starts_at")
    row = Delegation(person_id=person.id, delegate_id=delegate.id, starts_at=starts_at,
                     ends_at=ends_at, note=note.strip(), created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    audit.record("delegation.created", obj=row,
                 after={"person_id": person.id, "delegate_id": delegate.id,
                        "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()})
    return row


def cancel_delegation(row: Delegation) -> None:
    if row.cancelled_at is not None:
        return
    row.cancelled_at = utcnow()
    db.session.flush()
    audit.record("delegation.cancelled", obj=row)
