"""Everything a development record shows, gathered with a fixed number of queries whatever the
size of the portfolio (about ten statements: enrolments, submissions, versions and evidence,
decisions with scores and signers, rubrics, meetings, spot-checks)."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import io
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from approvals.models import ApprovalStep, Decision
from checkpoints.models import Enrolment
from clearance.database import as_utc
from clearance.extensions import db
from clearance.urls import absolute_url
from people.models import Person
from portfolios.models import Evidence, Submission, SubmissionVersion
from portfolios.records.render import Image
from portfolios.storage import storage
from portfolios.text import render_reflection
from rubrics import scoring
from rubrics.models import Criterion, RubricVersion

IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
MAX_EMBEDDED_IMAGE = 5 * 1024 * 1024
LEVEL_ROLES = {1: "line manager", 2: "skip-level manager"}


def _optional(module: str) -> Any:
    """Models of domains that may not be installed (one-to-ones, spot-checks)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


@dataclass
class EvidenceLine:
    evidence: Evidence
    image_token: str | None = None
    image_problem: str = ""
    reflection: Markup | None = None


@dataclass
class DecisionEntry:
    decision: Decision
    signer: str
    signer_role: str
    meaning: str
    rubric: RubricVersion | None
    assessment: scoring.Assessment
    meeting_label: str = ""
    meeting_url: str = ""
    spot_check_label: str = ""
    overturn: str = ""


@dataclass
class CheckpointSection:
    checkpoint: Any
    submission: Submission
    versions: list[SubmissionVersion]
    evidence: list[EvidenceLine]
    decisions: list[DecisionEntry]

    @property
    def first_submitted(self) -> dt.datetime | None:
        return self.versions[0].submitted_at if self.versions else None


@dataclass
class ProgrammeSection:
    programme: Any
    enrolment: Enrolment | None
    checkpoints: list[CheckpointSection] = field(default_factory=list)


@dataclass
class RecordContent:
    person: Person
    manager: Person | None
    start: dt.date
    end: dt.date
    programmes: list[ProgrammeSection]
    images: dict[str, Image]
    approved: int = 0
    in_progress: int = 0
    decisions: int = 0

    @property
    def checkpoint_count(self) -> int:
        return sum(len(p.checkpoints) for p in self.programmes)

    def covered(self) -> dict[str, Any]:
        sections = [c for p in self.programmes for c in p.checkpoints]
        return {
            "programmes": [p.programme.id for p in self.programmes],
            "submissions": [c.submission.id for c in sections],
            "versions": [v.id for c in sections for v in c.versions],
            "decisions": [d.decision.id for c in sections for d in c.decisions],
            "checkpoints": len(sections),
            "approved": self.approved,
        }


def meaning_of(decision: Decision, acting_for: Person | None) -> str:
    """The meaning of a signature, e.g. "Approved as line manager, acting for Sky Level"."""
    role = LEVEL_ROLES.get(decision.level, f"level {decision.level} approver")
    verb = "Approved" if decision.outcome == "approved" else "Changes requested"
    text = f"{verb} as {role}"
    if acting_for is not None:
        text += f", acting for {acting_for.name}"
        if decision.acting_reason:
            text += f" ({decision.acting_reason})"
    return text


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    return lo, hi


def _image(evidence: Evidence) -> tuple[Image | None, str]:
    """Load a permitted evidence image if it is intact; else a reason it is not shown."""
    if (evidence.content_type or "") not in IMAGE_TYPES or not evidence.storage_key:
        return None, ""
    if (evidence.size_bytes or 0) > MAX_EMBEDDED_IMAGE:
        return None, "Image too large to show here."
    try:
        with storage().open(evidence.storage_key) as fh:
            data = fh.read(MAX_EMBEDDED_IMAGE + 1)
    except (OSError, ValueError):
        return None, "The file could not be read."
    if evidence.sha256 and hashlib.sha256(data).hexdigest() != evidence.sha256:
        return None, "The stored file does not match its fingerprint; not shown."
    try:
        from PIL import Image as PILImage

        with PILImage.open(io.BytesIO(data)) as img:
            img.verify()
    except Exception:
        return None, "The image could not be read; not shown."
    return Image(data, evidence.content_type or "application/octet-stream"), ""


def gather(person: Person, start: dt.date, end: dt.date) -> RecordContent:
    lo, hi = _bounds(start, end)
    enrolments = {e.programme_id: e for e in db.session.scalars(
        select(Enrolment).options(joinedload(Enrolment.programme))
        .where(Enrolment.person_id == person.id))}
    submissions = list(db.session.scalars(
        select(Submission).options(joinedload(Submission.checkpoint))
        .where(Submission.person_id == person.id, Submission.created_at < hi,
               Submission.state_changed_at >= lo)))
    sub_ids = [s.id for s in submissions]
    versions_by_sub: dict[int, list[SubmissionVersion]] = {i: [] for i in sub_ids}
    decisions_by_sub: dict[int, list[Decision]] = {i: [] for i in sub_ids}
    if sub_ids:
        for v in db.session.scalars(
                select(SubmissionVersion).options(selectinload(SubmissionVersion.evidence))
                .where(SubmissionVersion.submission_id.in_(sub_ids),
                       SubmissionVersion.submitted_at < hi)
                .order_by(SubmissionVersion.number)):
            versions_by_sub[v.submission_id].append(v)
        for d in db.session.scalars(
                select(Decision).options(
                    selectinload(Decision.scores), joinedload(Decision.decided_by),
                    joinedload(Decision.acting_for),
                    joinedload(Decision.step).load_only(ApprovalStep.reason))
                .where(Decision.submission_id.in_(sub_ids), Decision.decided_at < hi)
                .order_by(Decision.decided_at, Decision.id)):
            decisions_by_sub[d.submission_id].append(d)
    all_decisions = [d for ds in decisions_by_sub.values() for d in ds]
    rubrics = _rubrics({d.rubric_version_id for d in all_decisions if d.rubric_version_id})
    meetings = _meetings({d.meeting_id for d in all_decisions if d.meeting_id})
    checks = _spot_checks([d.id for d in all_decisions])
    manager = person.manager

    images: dict[str, Image] = {}
    sections: dict[int, ProgrammeSection] = {}
    content = RecordContent(person, manager, start, end, [], images)
    for sub in sorted(submissions, key=lambda s: (s.checkpoint.programme_id,
                                                  s.checkpoint.position, s.id)):
        cp = sub.checkpoint
        section = sections.get(cp.programme_id)
        if section is None:
            enrolment = enrolments.get(cp.programme_id)
            programme = enrolment.programme if enrolment else cp.programme
            section = sections[cp.programme_id] = ProgrammeSection(programme, enrolment)
        versions = versions_by_sub[sub.id]
        shown = versions[-1].evidence if versions else sub.working_set
        lines = []
        for ev in shown:
            line = EvidenceLine(ev)
            if ev.kind == "reflection":
                line.reflection = render_reflection(ev.body)
            elif ev.kind == "file":
                image, problem = _image(ev)
                if image is not None:
                    line.image_token = f"e{ev.id}"
                    images[line.image_token] = image
                line.image_problem = problem
            lines.append(line)
        entries = [_entry(d, rubrics, meetings, checks) for d in decisions_by_sub[sub.id]]
        section.checkpoints.append(CheckpointSection(cp, sub, versions, lines, entries))
        content.decisions += len(entries)
        if sub.state == "approved":
            content.approved += 1
        elif sub.state not in ("withdrawn",):
            content.in_progress += 1
    content.programmes = list(sections.values())
    return content


def _entry(d: Decision, rubrics: dict[int, RubricVersion], meetings: dict[int, Any],
           checks: dict[int, Any]) -> DecisionEntry:
    assessment = scoring.Assessment(
        {s.criterion_id: scoring.Answer(s.level_id, s.comment) for s in d.scores},
        d.overall_feedback)
    entry = DecisionEntry(
        decision=d, signer=d.decided_by.name, signer_role=d.decided_by.job_title or "",
        meaning=meaning_of(d, d.acting_for),
        rubric=rubrics.get(d.rubric_version_id) if d.rubric_version_id else None,
        assessment=assessment)
    meeting = meetings.get(d.meeting_id) if d.meeting_id else None
    if meeting is not None:
        entry.meeting_label = f"Decided in the 1:1 of {meeting.occurs_on:%-d %B %Y}"
        entry.meeting_url = absolute_url("one_to_ones.meeting", series_id=meeting.series_id,
                                         day=meeting.occurs_on.isoformat())
    check = checks.get(d.id)
    if check is not None and check.verdict:
        by = check.verdict_by.name if check.verdict_by else "L&D"
        when = f"{as_utc(check.verdict_at):%d %b %Y %H:%M} UTC" if check.verdict_at else ""
        entry.spot_check_label = f"Spot-checked by L&D: {check.verdict_label} ({by}, {when})"
        if check.verdict == "overturn":
            entry.overturn = f"Overturned by L&D: {by}, {when}"
    return entry


def _rubrics(ids: set[int]) -> dict[int, RubricVersion]:
    if not ids:
        return {}
    rows = db.session.scalars(
        select(RubricVersion).options(
            joinedload(RubricVersion.rubric),
            selectinload(RubricVersion.criteria).selectinload(Criterion.levels),
            selectinload(RubricVersion.scale))
        .where(RubricVersion.id.in_(ids)))
    return {r.id: r for r in rows}


def _meetings(ids: set[int]) -> dict[int, Any]:
    mod = _optional("approvals.one_to_ones.models")
    if not ids or mod is None:
        return {}
    return {m.id: m for m in db.session.scalars(select(mod.Meeting)
                                                .where(mod.Meeting.id.in_(ids)))}


def _spot_checks(decision_ids: list[int]) -> dict[int, Any]:
    mod = _optional("approvals.spot_checks.models")
    if not decision_ids or mod is None:
        return {}
    rows = db.session.scalars(
        select(mod.SpotCheck).options(joinedload(mod.SpotCheck.verdict_by))
        .where(mod.SpotCheck.decision_id.in_(decision_ids)))
    return {c.decision_id: c for c in rows}
