"""Read-side queries for certificates (the page, the list) and the home panel, and the
delivery ledger with what became of each e-mail (``flask nudges status``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import joinedload

from approvals.models import Decision
from checkpoints.models import Checkpoint
from clearance.database import as_utc
from clearance.extensions import db
from clearance.mail import OutboxMessage
from engagement.nudges.models import Certificate, NudgeDelivery
from people.hierarchy import path_range
from people.models import Person, email_key
from portfolios.models import Submission, SubmissionVersion


@dataclass
class CertificateLine:
    position: int
    title: str
    kind: str
    done_at: dt.datetime | None
    #: (name, level, decided at, acting for) of each approval of the version that passed
    approvals: list[tuple[str, int, dt.datetime, str | None]] = field(default_factory=list)


def certificate_lines(certificate: Certificate) -> list[CertificateLine]:
    """Each checkpoint of the programme with when it was done and who approved it (every
    level of the approved version), in three queries however long the programme is."""
    checkpoints = db.session.scalars(
        select(Checkpoint).where(Checkpoint.programme_id == certificate.programme_id)
        .order_by(Checkpoint.position, Checkpoint.id)).all()
    submissions = {s.checkpoint_id: s for s in db.session.scalars(
        select(Submission).where(Submission.person_id == certificate.person_id,
                                 Submission.checkpoint_id.in_([c.id for c in checkpoints])))}
    latest = {}
    if submissions:
        for version in db.session.scalars(
                select(SubmissionVersion)
                .where(SubmissionVersion.submission_id.in_([s.id for s in submissions.values()]))
                .order_by(SubmissionVersion.number)):
            latest[version.submission_id] = version
    decisions: dict[int, list[Decision]] = {}
    if latest:
        for decision in db.session.scalars(
                select(Decision).where(Decision.version_id.in_([v.id for v in latest.values()]),
                                       Decision.outcome == "approved")
                .options(joinedload(Decision.decided_by), joinedload(Decision.acting_for))
                .order_by(Decision.level, Decision.id)):
            decisions.setdefault(decision.version_id, []).append(decision)
    lines = []
    for n, cp in enumerate(checkpoints, start=1):
        submission = submissions.get(cp.id)
        version = latest.get(submission.id) if submission else None
        line = CertificateLine(n, cp.title, cp.kind,
                               as_utc(version.outcome_at or version.submitted_at)
                               if version is not None else None)
        for d in decisions.get(version.id, []) if version is not None else []:
            line.approvals.append((d.decided_by.name, d.level, as_utc(d.decided_at),
                                   d.acting_for.name if d.acting_for else None))
        if line.approvals:
            line.done_at = max(a[2] for a in line.approvals)
        lines.append(line)
    return lines


def visible_certificates_stmt(viewer: Any) -> Select[Any]:
    """Valid certificates ``viewer`` may see, newest first: their own, everyone's under them
    (managers), everyone's (L&D and administrators)."""
    stmt = (select(Certificate).join(Person, Person.id == Certificate.person_id)
            .where(Certificate.withdrawn_at.is_(None))
            .options(joinedload(Certificate.person), joinedload(Certificate.programme)))
    if not (viewer.has_role("ld") or viewer.has_role("admin")):
        low, high = path_range(viewer.path)
        stmt = stmt.where(or_(Certificate.person_id == viewer.id,
                              and_(Person.path >= low, Person.path < high)))
    return stmt.order_by(Certificate.completed_at.desc(), Certificate.id.desc())


def my_certificates(person_id: int, limit: int = 5) -> list[Certificate]:
    return list(db.session.scalars(
        select(Certificate).where(Certificate.person_id == person_id,
                                  Certificate.withdrawn_at.is_(None))
        .options(joinedload(Certificate.programme))
        .order_by(Certificate.completed_at.desc()).limit(limit)))


def certificate_by_share_hash(token_hash: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.share_token_hash == token_hash, Certificate.withdrawn_at.is_(None)))


# ---------------------------------------------------------------- the ledger for operators

@dataclass
class DeliveryLine:
    id: int
    created_at: dt.datetime
    kind: str
    email: str
    subject: str
    period: str
    in_app: bool
    #: sent, kept (no SMTP: in the outbox), pending, failed, held (quiet hours), none
    #: (in-app only) or unknown (e-mailed before deliveries recorded their outbox row)
    mail: str
    outbox_id: int | None = None
    mail_at: dt.datetime | None = None
    attempts: int = 0
    error: str | None = None


def _mail_state(row: Any) -> str:
    if row.outbox_message_id is not None:
        return {"sent": "sent", "kept": "kept", "failed": "failed"}.get(row.status, "pending")
    if row.mail_pending:
        return "held"
    return "unknown" if row.mailed_at is not None else "none"


def recent_deliveries(limit: int = 50, *, kind: str | None = None, email: str | None = None,
                      mail: str | None = None) -> list[DeliveryLine]:
    """The latest ledger rows, newest first, with what became of each e-mail (the outbox row
    the delivery produced). ``mail`` keeps only one state; one query."""
    stmt = (select(NudgeDelivery.id, NudgeDelivery.created_at, NudgeDelivery.kind,
                   NudgeDelivery.subject, NudgeDelivery.period, NudgeDelivery.notified_at,
                   NudgeDelivery.mailed_at, NudgeDelivery.mail_pending,
                   NudgeDelivery.outbox_message_id, Person.email, OutboxMessage.status,
                   OutboxMessage.sent_at, OutboxMessage.attempts, OutboxMessage.error)
            .join(Person, Person.id == NudgeDelivery.person_id)
            .outerjoin(OutboxMessage, OutboxMessage.id == NudgeDelivery.outbox_message_id)
            .order_by(NudgeDelivery.id.desc()))
    if kind:
        stmt = stmt.where(NudgeDelivery.kind == kind)
    if email:
        stmt = stmt.where(Person.email_key == email_key(email))
    if mail:
        linked = NudgeDelivery.outbox_message_id.is_not(None)
        stmt = stmt.where({
            "sent": and_(linked, OutboxMessage.status == "sent"),
            "kept": and_(linked, OutboxMessage.status == "kept"),
            "failed": and_(linked, OutboxMessage.status == "failed"),
            "pending": and_(linked, OutboxMessage.status.not_in(("sent", "kept", "failed"))),
            "held": and_(~linked, NudgeDelivery.mail_pending.is_(True)),
            "none": and_(~linked, NudgeDelivery.mail_pending.is_(False),
                         NudgeDelivery.mailed_at.is_(None)),
            "unknown": and_(~linked, NudgeDelivery.mail_pending.is_(False),
                            NudgeDelivery.mailed_at.is_not(None)),
        }[mail])
    return [DeliveryLine(
        id=row.id, created_at=as_utc(row.created_at), kind=row.kind, email=row.email,
        subject=row.subject, period=row.period, in_app=row.notified_at is not None,
        mail=_mail_state(row), outbox_id=row.outbox_message_id, mail_at=as_utc(row.sent_at),
        attempts=row.attempts or 0, error=row.error)
        for row in db.session.execute(stmt.limit(limit))]
