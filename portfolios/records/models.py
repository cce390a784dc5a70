"""Generated development records (for verification) and bulk exports (a ZIP of records).

A :class:`GeneratedRecord` is written for every PDF the system issues: its public code (printed
on every page and in the verification URL), the sha256 of the exact PDF bytes, and what it
covered. The PDF itself is not kept: whoever holds it can prove it is authentic by uploading it
or quoting the code.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clearance.database import utcnow
from clearance.extensions import db

_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
EXPORT_STATUSES = ("queued", "running", "done", "failed", "expired")


def new_code() -> str:
    """A record code such as ``DR-7KQ4-M2XP-9HTW`` (~59 random bits: not guessable)."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"DR-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def normalise_code(raw: str) -> str:
    """Accept the code typed with or without dashes, spaces or lower case."""
    cleaned = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    if cleaned.startswith("DR"):
        cleaned = cleaned[2:]
    if len(cleaned) != 12:
        return ""
    return f"DR-{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:]}"


class GeneratedRecord(db.Model):
    __tablename__ = "generated_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, default=new_code)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    generated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    #: sha256 of the PDF bytes as issued
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    #: what the record covered: programme, submission, version and decision ids, counts
    covered: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: the bulk export it was made for, if any
    export_id: Mapped[int | None] = mapped_column(ForeignKey("record_export.id"), index=True)

    person = relationship("Person", foreign_keys=[person_id])
    generated_by = relationship("Person", foreign_keys=[generated_by_id])


class BulkExport(db.Model):
    """A ZIP of records for a team, a unit or a programme, built by a background job."""

    __tablename__ = "record_export"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    #: "team" (a manager's reports, direct and indirect), "unit" or "programme"
    scope: Mapped[str] = mapped_column(String(20))
    scope_value: Mapped[str] = mapped_column(String(200), default="")
    scope_label: Mapped[str] = mapped_column(String(300), default="")
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    #: [{"person_id": .., "name": .., "error": ..}] for records that could not be made
    failures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    #: the ZIP's server-generated file name under instance/exports
    file_name: Mapped[str | None] = mapped_column(String(80))
    size_bytes: Mapped[int | None] = mapped_column(Integer)

    requested_by = relationship("Person", foreign_keys=[requested_by_id])

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * (self.done + len(self.failures or []))
                                              / self.total)

    def eta_seconds(self, now: dt.datetime) -> int | None:
        """Seconds left, from the pace so far (None before the first record)."""
        from clearance.database import as_utc

        handled = self.done + len(self.failures or [])
        if self.status != "running" or not self.started_at or not handled:
            return None
        spent = (now - as_utc(self.started_at)).total_seconds()
        return int(spent / handled * (self.total - handled))
