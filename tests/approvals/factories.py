"""A submitted summative checkpoint waiting for a decision, for approvals tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from approvals.models import ApprovalStep
from clearance.extensions import db
from portfolios import operations as portfolio_ops
from tests.portfolios import factories as pf
from tests.rubrics.helpers import make_rubric


def submitted(learner: Any, *, levels: int = 1, rubric: bool = True,
              title: str = "Safe handover") -> ApprovalStep:
    """``learner`` submits a summative checkpoint; returns its level-1 step."""
    version = make_rubric(title=f"Rubric for {title}", pin=True) if rubric else None
    prog = pf.programme(title=f"Programme for {title}")
    cp = pf.checkpoint(prog, title=title, approval_levels=levels,
                       rubric_version_id=version.id if version is not None else None)
    pf.enrol(learner, prog)
    submission = portfolio_ops.start_submission(learner, cp)
    portfolio_ops.save_reflection(learner, cp, "I led the morning handover using SBAR.")
    portfolio_ops.submit(submission, learner, expected_version=0)
    return pending_step(submission.id)


def pending_step(submission_id: int) -> ApprovalStep:
    return db.session.scalars(
        select(ApprovalStep).where(ApprovalStep.submission_id == submission_id,
                                   ApprovalStep.status == "pending")
    ).one()


def full_assessment(step: ApprovalStep, *, position: int = 1,
                    feedback: str = "Clear, structured handover; good use of SBAR with the "
                                    "night team.") -> dict[str, str]:
    """Form fields scoring every criterion at ``position`` (0 = lowest) with comments."""
    from approvals.operations import rubric_version_of

    version = rubric_version_of(step)
    data = {"feedback": feedback}
    for criterion in version.criteria:
        level = version.levels_for(criterion)[position]
        data[f"c{criterion.id}-level"] = str(level.id)
        data[f"c{criterion.id}-comment"] = f"Comment on {criterion.title}"
    return data
