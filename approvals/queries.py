"""Read-side queries for the approvals pages (constant statement counts per page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from approvals.models import ApprovalStep, Decision
from checkpoints.models import Checkpoint
from clearance.database import utcnow
from clearance.extensions import db
from people.delegation import Delegation, open_clause
from people.models import Person
from portfolios.models import Submission, SubmissionVersion


def _mine_clause(person_id: Any, at: Any) -> Any:
    """Steps ``person_id`` acts on now: their own unless they are away, plus those of people
    who delegated to them. (Delegation chains beyond one hop are resolved on the review page.)
    Both arguments may be bind parameters, so statements built once are reused."""
    away = select(Delegation.id).where(Delegation.person_id == person_id, open_clause(at))
    delegators = select(Delegation.person_id).where(Delegation.delegate_id == person_id,
                                                    open_clause(at))
    return or_(
        and_(ApprovalStep.approver_id == person_id, ~away.exists()),
        ApprovalStep.approver_id.in_(delegators),
    )


# Built once: these run on every page a manager sees (the navigation badge) and on the queue.
_COUNT = (select(func.count()).select_from(ApprovalStep)
          .where(ApprovalStep.status == "pending",
                 _mine_clause(bindparam("person_id"), bindparam("at"))))


def queue_count(person_id: int, at: dt.datetime | None = None) -> int:
    return int(db.session.scalar(_COUNT, {"person_id": person_id, "at": at or utcnow()}) or 0)


@dataclass(frozen=True)
class QueueItem:
    id: int
    level: int
    reason: str
    approver_id: int
    approver_name: str
    created_at: dt.datetime
    escalate_at: dt.datetime | None
    checkpoint_title: str
    version_number: int
    submitted_at: dt.datetime


@dataclass
class QueueItemGroup:
    learner_id: int
    learner_name: str
    learner_job_title: str
    steps: list[QueueItem]


@dataclass
class QueueGroup:
    learner: Person
    steps: list[ApprovalStep]


def queue(person_id: int, at: dt.datetime | None = None) -> list[QueueGroup]:
    """Everything waiting for ``person_id`` as objects (for pages that act on the steps)."""
    at = at or utcnow()
    steps = db.session.scalars(
        select(ApprovalStep)
        .where(ApprovalStep.status == "pending", _mine_clause(person_id, at))
        .options(joinedload(ApprovalStep.learner), joinedload(ApprovalStep.approver),
                 joinedload(ApprovalStep.version),
                 joinedload(ApprovalStep.submission).joinedload(Submission.checkpoint))
        .order_by(ApprovalStep.created_at, ApprovalStep.id)
    ).unique().all()
    groups: dict[int, QueueGroup] = {}
    for step in steps:
        groups.setdefault(step.learner_id, QueueGroup(step.learner, [])).steps.append(step)
    return sorted(groups.values(), key=lambda g: (g.steps[0].created_at, g.learner.name))


def _items_statement() -> Any:
    learner, approver = aliased(Person), aliased(Person)
    return (
        select(ApprovalStep.id, ApprovalStep.level, ApprovalStep.reason,
               ApprovalStep.approver_id, approver.name, ApprovalStep.created_at,
               ApprovalStep.escalate_at, Checkpoint.title, SubmissionVersion.number,
               SubmissionVersion.submitted_at, learner.id, learner.name, learner.job_title)
        .join(learner, learner.id == ApprovalStep.learner_id)
        .join(approver, approver.id == ApprovalStep.approver_id)
        .join(SubmissionVersion, SubmissionVersion.id == ApprovalStep.version_id)
        .join(Submission, Submission.id == ApprovalStep.submission_id)
        .join(Checkpoint, Checkpoint.id == Submission.checkpoint_id)
        .where(ApprovalStep.status == "pending",
               _mine_clause(bindparam("person_id"), bindparam("at")))
        .order_by(ApprovalStep.created_at, ApprovalStep.id)
    )


_ITEMS = _items_statement()


def queue_items(person_id: int, at: dt.datetime | None = None) -> list[QueueItemGroup]:
    """Everything waiting for ``person_id``: grouped by report, oldest first (one query of
    plain columns: the page lists many items and needs no objects)."""
    rows = db.session.execute(_ITEMS, {"person_id": person_id, "at": at or utcnow()}).all()
    groups: dict[int, QueueItemGroup] = {}
    for row in rows:
        item = QueueItem(*row[:10])
        group = groups.setdefault(row[10], QueueItemGroup(row[10], row[11], row[12], []))
        group.steps.append(item)
    return sorted(groups.values(), key=lambda g: (g.steps[0].created_at, g.learner_name))


def _step_options() -> tuple[Any, ...]:
    # People joined here are shown by name; their roles load only if something asks.
    return (joinedload(ApprovalStep.learner).lazyload(Person.role_rows),
            joinedload(ApprovalStep.approver).lazyload(Person.role_rows),
            joinedload(ApprovalStep.version),
            joinedload(ApprovalStep.submission).joinedload(Submission.checkpoint)
            .joinedload(Checkpoint.programme))


def step_with_context(step_id: int, *, evidence: bool = False) -> ApprovalStep | None:
    """A step with everything the review page, the policy and a decision read of it (the
    learner, the approver, the version, the submission, its checkpoint and programme; with
    ``evidence``, the version's evidence too), in one statement. The step keeps them loaded,
    so nothing is read twice in the request."""
    options = _step_options()
    if evidence:
        options += (joinedload(ApprovalStep.version).joinedload(SubmissionVersion.evidence),)
    return db.session.scalars(
        select(ApprovalStep).where(ApprovalStep.id == step_id).options(*options)
    ).unique().one_or_none()


def step_history(step: ApprovalStep) -> list[ApprovalStep]:
    """Every step of the same version and level, oldest first (escalations, reassignments)."""
    return list(db.session.scalars(
        select(ApprovalStep)
        .where(ApprovalStep.version_id == step.version_id)
        .options(joinedload(ApprovalStep.approver).lazyload(Person.role_rows),
                 joinedload(ApprovalStep.decision))
        .order_by(ApprovalStep.level, ApprovalStep.id)
    ).unique())


def decisions_for_submission(submission_id: int) -> list[Decision]:
    return list(db.session.scalars(
        select(Decision).where(Decision.submission_id == submission_id)
        .options(joinedload(Decision.decided_by).lazyload(Person.role_rows),
                 joinedload(Decision.acting_for).lazyload(Person.role_rows))
        .order_by(Decision.decided_at, Decision.id)
    ).unique())


def team_status(manager: Person, page: int = 1, per_page: int = 50) -> Any:
    """Everyone under ``manager`` with counts of their submissions by state and pending steps."""
    from people.hierarchy import everyone_under_stmt

    people_page = db.paginate(everyone_under_stmt(manager).order_by(Person.depth, Person.name),
                              page=page, per_page=per_page, error_out=False)
    ids = [p.id for p in people_page.items]
    counts: dict[int, dict[str, int]] = {pid: {} for pid in ids}
    if ids:
        for pid, state, n in db.session.execute(
            select(Submission.person_id, Submission.state, func.count())
            .where(Submission.person_id.in_(ids)).group_by(Submission.person_id, Submission.state)
        ):
            counts[pid][state] = n
    waiting: dict[int, list[ApprovalStep]] = {pid: [] for pid in ids}
    if ids:
        approver = aliased(Person)
        for step in db.session.scalars(
            select(ApprovalStep).join(approver, approver.id == ApprovalStep.approver_id)
            .where(ApprovalStep.status == "pending", ApprovalStep.learner_id.in_(ids))
            .options(joinedload(ApprovalStep.approver))
        ).unique():
            waiting[step.learner_id].append(step)
    return people_page, counts, waiting
