"""Decisions made through approvals.operations.decide, for spot-check tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from approvals import operations as approval_ops
from approvals.models import ApprovalStep, Decision
from clearance.database import utcnow
from rubrics import scoring
from tests.approvals.factories import submitted

LONG_FEEDBACK = ("A clear, well-structured handover: you used SBAR with the night team and "
                 "checked every NEWS2 score. Next, lead the safety huddle yourself.")


def assessment(step: ApprovalStep, positions: int | list[int] = 1,
               feedback: str = LONG_FEEDBACK) -> scoring.Assessment:
    version = approval_ops.rubric_version_of(step)
    answers = {}
    for i, criterion in enumerate(version.criteria):
        position = positions[i] if isinstance(positions, list) else positions
        level = version.levels_for(criterion)[position]
        answers[criterion.id] = scoring.Answer(level.id, f"Comment on {criterion.title}")
    return scoring.Assessment(answers, feedback)


def decide(step: ApprovalStep, actor: Any, *, positions: int | list[int] = 1,
           outcome: str = "approved", feedback: str = LONG_FEEDBACK, justification: str = "",
           opened_minutes_ago: float | None = 15.0) -> Decision:
    opened = (utcnow() - dt.timedelta(minutes=opened_minutes_ago)
              if opened_minutes_ago is not None else None)
    data = approval_ops.DecisionInput(outcome=outcome,
                                      assessment=assessment(step, positions, feedback),
                                      justification=justification, review_started_at=opened)
    return approval_ops.decide(step, actor, data, seen_lock=step.lock_version,
                               seen_version_id=step.version_id)


def decided(learner: Any, *, title: str = "Safe handover", **kw: Any) -> Decision:
    """``learner`` submits; their line manager decides (approved, mid-level, long feedback)."""
    step = submitted(learner, title=title)
    return decide(step, step.approver, **kw)
