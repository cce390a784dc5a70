"""Read-side queries for the approvals pages (constant statement counts per page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from approvals.models import ApprovalStep, Decision
from clearance.database import utcnow
from clearance.extensions import db
from people.delegation import Delegation, open_clause
from people.models import Person
from portfolios.models import Submission


def _mine_clause(person_id: int, at: dt.datetime) -> Any:
    """Steps ``person_id`` acts on now: their own unless they are away, plus those of people
    who delegated to them. (Delegation chains beyond one hop are resolved on the review page.)"""
    away = select(Delegation.id).where(Delegation.person_id == person_id, open_clause(at))
    delegators = select(Delegation.person_id).where(Delegation.delegate_id == person_id,
                                                    open_clause(at))
    return or_(
        and_(ApprovalStep.approver_id == person_id, ~away.exists()),
        ApprovalStep.approver_id.in_(delegators),
    )


def queue_count(person_id: int, at: dt.datetime | None = None) -> int:
    at = at or utcnow()
    return int(db.session.scalar(
        select(func.count()).select_from(ApprovalStep)
        .where(ApprovalStep.status == "pending", _mine_clause(person_id, at))
    ) or 0)


@dataclass
class QueueGroup:
    learner: Person
    steps: list[ApprovalStep]


def queue(person_id: int, at: dt.datetime | None = None) -> list[QueueGroup]:
    """Everything waiting for ``person_id``: grouped by report, oldest first."""
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


def step_history(step: ApprovalStep) -> list[ApprovalStep]:
    """Every step of the same version and level, oldest first (escalations, reassignments)."""
    return list(db.session.scalars(
        select(ApprovalStep)
        .where(ApprovalStep.version_id == step.version_id)
        .options(joinedload(ApprovalStep.approver), joinedload(ApprovalStep.decision))
        .order_by(ApprovalStep.level, ApprovalStep.id)
    ).unique())


def decisions_for_submission(submission_id: int) -> list[Decision]:
    return list(db.session.scalars(
        select(Decision).where(Decision.submission_id == submission_id)
        .options(joinedload(Decision.decided_by), joinedload(Decision.acting_for))
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
