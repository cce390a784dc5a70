"""Demo decisions: the portfolios demo seed decides through here, so every demo decision is
a real one (rubric scored, feedback written, audited) made by whoever routing says decides."""

from __future__ import annotations

import random

from sqlalchemy import select

from approvals import operations, routing
from approvals.models import ApprovalStep
from clearance.extensions import db
from people.models import Person
from portfolios import operations as portfolio_ops
from portfolios.models import Submission
from rubrics.scoring import Answer, Assessment

_rng = random.Random(5)

APPROVE_FEEDBACK = [
    "A clear, well-structured piece of work. You showed exactly how you applied the approach "
    "on the ward, and your reflection on what you would change next time is honest.",
    "Good evidence of leading the team through this. Next step: share what you learned at the "
    "Thursday huddle so others can use it.",
    "Thorough and safe practice, well evidenced. I particularly liked how you involved the "
    "patient's family in the plan.",
]
CHANGES_FEEDBACK = [
    "You describe what happened well, but I cannot see what you did differently as a result. "
    "Please add how you will apply this next time and resubmit.",
    "The evidence is a good start; please add the escalation you made and the outcome, and "
    "say what you would do if the outreach team were not available.",
]


def _assessment(step: ApprovalStep, outcome: str) -> Assessment:
    version = operations.rubric_version_of(step)
    feedback = _rng.choice(APPROVE_FEEDBACK if outcome == "approved" else CHANGES_FEEDBACK)
    if version is None:
        return Assessment({}, feedback)
    answers = {}
    for criterion in version.criteria:
        levels = version.levels_for(criterion)
        if outcome == "approved":
            floor = min(version.pass_min_position or 0, len(levels) - 1)
            level = levels[_rng.randint(floor, len(levels) - 1)]
        else:
            level = levels[0]
        answers[criterion.id] = Answer(level.id, f"{level.name}: {criterion.title.lower()} "
                                                 "seen in the evidence.")
    return Assessment(answers, feedback)


def demo_decide(submission: Submission, outcome: str, reviewer: Person) -> None:
    """Decide every pending level of the submission's latest version with ``outcome``."""
    for _ in range(3):
        step = db.session.scalar(
            select(ApprovalStep).where(ApprovalStep.submission_id == submission.id,
                                       ApprovalStep.status == "pending"))
        if step is None:
            break
        actor = routing.acting_route(step.approver, step.learner).actor
        operations.decide(step, actor, operations.DecisionInput(
            outcome=outcome, assessment=_assessment(step, outcome),
            justification="Discussed in our one-to-one; the evidence is sound.",
        ), seen_lock=step.lock_version, seen_version_id=step.version_id)
        if outcome != "approved":
            break
    else:
        return
    db.session.refresh(submission)
    if submission.state == "submitted":  # a formative checkpoint: no steps, feedback only
        if outcome == "approved":
            portfolio_ops.approve(submission, by=reviewer, reason="formative feedback given")
        else:
            portfolio_ops.request_changes(submission, by=reviewer, reason="formative feedback")
