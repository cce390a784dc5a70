"""Evidence, submissions (learner x checkpoint) and their immutable versions.

A submission's *working set* is its evidence that is not detached; submitting freezes the working
set into a new :class:`SubmissionVersion` (the ``version_evidence`` association) and locks each
evidence row: a locked row's content never changes again (enforced below, before every flush).
Editing after "changes requested" adds new rows and detaches old ones, so every version keeps
exactly the evidence it was submitted with.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from clearance.database import utcnow
from clearance.extensions import db

EVIDENCE_KINDS = ("file", "reflection", "link")
EVIDENCE_LABELS = {"file": "File", "reflection": "Reflection", "link": "Link"}

#: the submission state machine (ARCHITECTURE.md)
STATES = ("draft", "submitted", "changes_requested", "approved", "withdrawn", "reopened")
STATE_LABELS = {
    "draft": "Draft",
    "submitted": "Submitted",
    "changes_requested": "Changes requested",
    "approved": "Approved",
    "withdrawn": "Withdrawn",
    "reopened": "Reopened",
}
#: states in which the learner edits the working set and may (re)submit
EDITABLE_STATES = frozenset({"draft", "changes_requested", "reopened", "withdrawn"})
#: action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (EDITABLE_STATES, "submitted"),
    "withdraw": (frozenset({"submitted"}), "withdrawn"),
    "request_changes": (frozenset({"submitted"}), "changes_requested"),
    "approve": (frozenset({"submitted"}), "approved"),
    "reopen": (frozenset({"approved", "changes_requested"}), "reopened"),
}
#: version outcomes: how each submitted version ended
VERSION_OUTCOMES = ("changes_requested", "approved", "withdrawn")

#: evidence columns frozen once the row is part of a submitted version
FROZEN_EVIDENCE_FIELDS = (
    "submission_id", "owner_id", "kind", "label", "url", "body", "storage_key",
    "original_name", "content_type", "size_bytes", "sha256", "created_at", "locked_at",
)

version_evidence = Table(
    "version_evidence",
    db.metadata,
    Column("version_id", ForeignKey("submission_version.id", ondelete="CASCADE"),
           primary_key=True),
    Column("evidence_id", ForeignKey("evidence.id", ondelete="RESTRICT"), primary_key=True,
           index=True),
)


#: evidence files shown inline as images (their content was checked at upload; no SVG)
PREVIEW_TYPES = frozenset({"image/png", "image/jpeg"})

class Submission(db.Model):
    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("person_id", "checkpoint_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoint.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    #: how many versions have been submitted; the conditional UPDATE on submit checks it
    version_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    state_changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True),
                                                          default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    person = relationship("Person", foreign_keys=[person_id])
    checkpoint = relationship("Checkpoint")
    versions: Mapped[list[SubmissionVersion]] = relationship(
        back_populates="submission", order_by="SubmissionVersion.number",
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="submission", order_by="Evidence.id",
    )

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def working_set(self) -> list[Evidence]:
        return [e for e in self.evidence if e.detached_at is None]

    @property
    def latest_version(self) -> SubmissionVersion | None:
        return self.versions[-1] if self.versions else None


class SubmissionVersion(db.Model):
    __tablename__ = "submission_version"
    __table_args__ = (UniqueConstraint("submission_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    #: sha256 over the version's canonical content (decisions record what they judged)
    content_hash: Mapped[str] = mapped_column(String(64))
    #: how this version ended: changes_requested, approved, withdrawn (None while pending)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    submission: Mapped[Submission] = relationship(back_populates="versions")
    evidence: Mapped[list[Evidence]] = relationship(
        secondary=version_evidence, order_by="Evidence.id", viewonly=True,
    )

    @property
    def outcome_label(self) -> str:
        return STATE_LABELS.get(self.outcome or "", "Waiting for a decision")


class Evidence(db.Model):
    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    #: the learner (denormalised from the submission: ownership checks read it directly)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    #: a short description the learner gives (links, files); may be empty
    label: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str | None] = mapped_column(String(2000))
    #: reflection source (Markdown); rendered and sanitised on display
    body: Mapped[str | None] = mapped_column(Text)
    #: files: server-generated storage name, sanitised original name, checked type, size, hash
    storage_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    original_name: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: set when the row first becomes part of a submitted version; content is frozen after
    locked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: set when the learner takes a locked row out of the working set (it stays in its versions)
    detached_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    submission: Mapped[Submission] = relationship(back_populates="evidence")

    @property
    def previewable(self) -> bool:
        """A photo or image the browser can show in the page (type checked at upload)."""
        return self.kind == "file" and self.content_type in PREVIEW_TYPES

    @property
    def kind_label(self) -> str:
        return EVIDENCE_LABELS.get(self.kind, self.kind)

    @property
    def display_name(self) -> str:
        if self.kind == "file":
            return self.original_name or "file"
        if self.kind == "link":
            return self.label or self.url or "link"
        return self.label or "Reflection"


class FrozenEvidenceError(RuntimeError):
    """Raised when code tries to change evidence that is part of a submitted version."""


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_locked_evidence(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in session.dirty:
        if not isinstance(obj, Evidence):
            continue
        state = inspect(obj)
        locked_before = state.attrs.locked_at.history.deleted or (
            [obj.locked_at] if not state.attrs.locked_at.history.has_changes() else []
        )
        if not any(v is not None for v in locked_before):
            continue
        changed = [name for name in FROZEN_EVIDENCE_FIELDS
                   if state.attrs[name].history.has_changes()]
        if changed:
            raise FrozenEvidenceError(
                f"evidence {obj.id} is part of a submitted version; cannot change {changed}"
            )
    for obj in session.deleted:
        if isinstance(obj, Evidence) and obj.locked_at is not None:
            raise FrozenEvidenceError(
                f"evidence {obj.id} is part of a submitted version; it cannot be deleted"
            )


__all__ = [
    "EDITABLE_STATES",
    "EVIDENCE_KINDS",
    "STATES",
    "TRANSITIONS",
    "Evidence",
    "FrozenEvidenceError",
    "Submission",
    "SubmissionVersion",
    "version_evidence",
]
