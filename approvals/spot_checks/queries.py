"""Read-side queries for the spot-check pages: the L&D queue, the review page, the approver's
own verdicts, and the feedback shown in queues and one-to-ones. (Calibration and coverage
figures are in :mod:`approvals.spot_checks.calibration`.) Every list is one query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from approvals.models import ApprovalStep, Decision
from approvals.spot_checks.models import (
    REASONS,
    SpotCheck,
    SpotCheckReason,
    SpotCheckSampling,
)
from clearance.database import utcnow
from clearance.extensions import db
from people.models import Person
from portfolios.models import Submission

AGES = {"7": 7, "14": 14, "30": 30}
STATUS_FILTERS = {"waiting": ("open", "claimed", "scored"), "open": ("open",),
                  "mine": ("claimed", "scored"), "done": ("done",)}


@dataclass
class QueueFilters:
    status: str = "waiting"
    unit: str = ""
    programme_id: int | None = None
    approver: str = ""
    reason: str = ""
    age: str = ""

    @classmethod
    def from_args(cls, args: Any) -> QueueFilters:
        status = args.get("status", "waiting")
        reason = args.get("reason", "")
        age = args.get("age", "")
        return cls(status=status if status in STATUS_FILTERS else "waiting",
                   unit=(args.get("unit") or "").strip()[:200],
                   programme_id=args.get("programme", type=int),
                   approver=(args.get("approver") or "").strip()[:100],
                   reason=reason if reason in REASONS else "",
                   age=age if age in AGES else "")

    def as_args(self) -> dict[str, Any]:
        values = {"status": self.status, "unit": self.unit, "programme": self.programme_id,
                  "approver": self.approver, "reason": self.reason, "age": self.age}
        return {k: v for k, v in values.items() if v not in (None, "")}


def _queue_clauses(filters: QueueFilters, person_id: int, *, with_reason: bool = True
                   ) -> list[Any]:
    clauses: list[Any] = [SpotCheck.status.in_(STATUS_FILTERS[filters.status])]
    if filters.status == "mine":
        clauses.append(SpotCheck.claimed_by_id == person_id)
    if filters.unit:
        clauses.append(SpotCheck.unit == filters.unit)
    if filters.programme_id:
        clauses.append(SpotCheck.programme_id == filters.programme_id)
    if filters.approver:
        escaped = filters.approver.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append(SpotCheck.approver_id.in_(
            select(Person.id).where(Person.name.ilike(f"%{escaped}%", escape="\\"))))
    if filters.age:
        clauses.append(SpotCheck.created_at <= utcnow() - dt.timedelta(days=AGES[filters.age]))
    if with_reason and filters.reason:
        clauses.append(SpotCheck.id.in_(
            select(SpotCheckReason.spot_check_id).where(SpotCheckReason.code == filters.reason)))
    return clauses


def queue(filters: QueueFilters, person_id: int, page: int = 1, per_page: int = 50) -> Any:
    """A page of checks matching ``filters``, oldest first."""
    stmt = (
        select(SpotCheck).where(*_queue_clauses(filters, person_id))
        .options(joinedload(SpotCheck.approver), joinedload(SpotCheck.learner),
                 joinedload(SpotCheck.claimed_by), joinedload(SpotCheck.programme),
                 joinedload(SpotCheck.submission).joinedload(Submission.checkpoint),
                 selectinload(SpotCheck.reasons))
        .order_by(SpotCheck.created_at, SpotCheck.id)
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def reason_counts(filters: QueueFilters, person_id: int) -> list[tuple[str, str, int]]:
    """(code, label, checks) for every reason, within the other filters."""
    rows = dict(db.session.execute(
        select(SpotCheckReason.code, func.count())
        .join(SpotCheck, SpotCheck.id == SpotCheckReason.spot_check_id)
        .where(*_queue_clauses(filters, person_id, with_reason=False))
        .group_by(SpotCheckReason.code)).all())
    return [(code, label, int(rows.get(code, 0))) for code, label in REASONS.items()]


def queue_filter_options() -> dict[str, Any]:
    """Units and programmes that have checks, for the filter form."""
    from checkpoints.models import Programme

    units = db.session.scalars(select(SpotCheck.unit).where(SpotCheck.unit != "")
                               .distinct().order_by(SpotCheck.unit)).all()
    programmes = db.session.execute(
        select(Programme.id, Programme.title)
        .where(Programme.id.in_(select(SpotCheck.programme_id).distinct()))
        .order_by(Programme.title)).all()
    return {"units": list(units), "programmes": [(pid, title) for pid, title in programmes]}


def waiting_count() -> int:
    return int(db.session.scalar(select(func.count()).select_from(SpotCheck)
                                 .where(SpotCheck.status.in_(("open", "claimed",
                                                              "scored")))) or 0)


def check_for_review(check_id: int) -> SpotCheck | None:
    return db.session.scalar(
        select(SpotCheck).where(SpotCheck.id == check_id)
        .options(joinedload(SpotCheck.approver), joinedload(SpotCheck.learner),
                 joinedload(SpotCheck.claimed_by), selectinload(SpotCheck.reasons),
                 selectinload(SpotCheck.scores),
                 joinedload(SpotCheck.decision).selectinload(Decision.scores)))


def sampling_of(decision_id: int) -> SpotCheckSampling | None:
    return db.session.scalar(select(SpotCheckSampling)
                             .where(SpotCheckSampling.decision_id == decision_id))


def check_of_decision(decision_id: int) -> SpotCheck | None:
    return db.session.scalar(select(SpotCheck).where(SpotCheck.decision_id == decision_id))


# ---------------------------------------------------------------- for approvers and learners


def my_checks(person_id: int, page: int = 1, per_page: int = 30) -> Any:
    """Checks of ``person_id``'s decisions with a verdict, newest first."""
    stmt = (select(SpotCheck)
            .where(SpotCheck.approver_id == person_id, SpotCheck.verdict.is_not(None))
            .options(joinedload(SpotCheck.learner),
                     joinedload(SpotCheck.submission).joinedload(Submission.checkpoint))
            .order_by(SpotCheck.verdict_at.desc(), SpotCheck.id.desc()))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


@dataclass
class MyRecord:
    checked: int
    agreed: int
    recent: int
    recent_agreed: int

    @property
    def rate(self) -> float | None:
        return self.agreed / self.checked if self.checked else None

    @property
    def recent_rate(self) -> float | None:
        return self.recent_agreed / self.recent if self.recent else None


def my_record(person_id: int, window: int = 20) -> MyRecord:
    checked, agreed = db.session.execute(
        select(func.count(), func.coalesce(func.sum(
            func.cast(SpotCheck.verdict == "agree", db.Integer)), 0))
        .where(SpotCheck.approver_id == person_id, SpotCheck.verdict.is_not(None))).one()
    recent = db.session.scalars(
        select(SpotCheck.verdict)
        .where(SpotCheck.approver_id == person_id, SpotCheck.verdict.is_not(None))
        .order_by(SpotCheck.verdict_at.desc(), SpotCheck.id.desc()).limit(window)).all()
    return MyRecord(int(checked or 0), int(agreed or 0), len(recent),
                    sum(1 for v in recent if v == "agree"))


def unacknowledged(person_id: int, learner_id: int | None = None) -> list[SpotCheck]:
    """Concerns and overturns on ``person_id``'s decisions not yet acknowledged (optionally
    about one learner): shown in their queue and one-to-one agenda."""
    clauses = [SpotCheck.approver_id == person_id,
               SpotCheck.verdict.in_(("concern", "overturn")),
               SpotCheck.acknowledged_at.is_(None)]
    if learner_id is not None:
        clauses.append(SpotCheck.learner_id == learner_id)
    return list(db.session.scalars(
        select(SpotCheck).where(*clauses)
        .options(joinedload(SpotCheck.learner),
                 joinedload(SpotCheck.submission).joinedload(Submission.checkpoint))
        .order_by(SpotCheck.verdict_at, SpotCheck.id)).unique())


def overturns_of_submission(submission_id: int) -> list[SpotCheck]:
    """Overturned decisions on a submission (what the learner is shown)."""
    return list(db.session.scalars(
        select(SpotCheck).where(SpotCheck.submission_id == submission_id,
                                SpotCheck.verdict == "overturn")
        .options(joinedload(SpotCheck.decision))
        .order_by(SpotCheck.verdict_at)).unique())


def overturned_decision_ids(decision_ids: list[int]) -> set[int]:
    """Which of these decisions L&D overturned (for pages that list decisions)."""
    if not decision_ids:
        return set()
    return set(db.session.scalars(
        select(SpotCheck.decision_id).where(SpotCheck.decision_id.in_(decision_ids),
                                            SpotCheck.verdict == "overturn")))


# ---------------------------------------------------------------- picking by hand


def recent_decisions(search: str = "", page: int = 1, per_page: int = 30) -> Any:
    """Decisions newest first, for L&D to pick by hand; ``checks`` maps each decision on the
    page to its check id (if any)."""
    stmt = (select(Decision)
            .options(joinedload(Decision.decided_by),
                     joinedload(Decision.step).joinedload(ApprovalStep.learner),
                     joinedload(Decision.step).joinedload(ApprovalStep.submission)
                     .joinedload(Submission.checkpoint))
            .order_by(Decision.decided_at.desc(), Decision.id.desc()))
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        people = select(Person.id).where(Person.name.ilike(f"%{escaped}%", escape="\\"))
        stmt = stmt.where(Decision.decided_by_id.in_(people) | Decision.learner_id.in_(people))
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    ids = [d.id for d in result.items]
    checks = dict(db.session.execute(
        select(SpotCheck.decision_id, SpotCheck.id).where(SpotCheck.decision_id.in_(ids))
    ).all()) if ids else {}
    return result, checks
