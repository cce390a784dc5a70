"""Read-side queries for certificates (the page, the list) and the home panel."""

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
from engagement.nudges.models import Certificate
from people.hierarchy import path_range
from people.models import Person
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
