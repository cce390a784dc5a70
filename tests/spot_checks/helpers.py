"""Spot-checks in a given state, for tests (made through the operations)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from approvals.spot_checks import operations as ops
from approvals.spot_checks.models import SpotCheck
from clearance.extensions import db
from rubrics import scoring
from tests.spot_checks.factories import decided


def check_of(decision: Any) -> SpotCheck:
    check = db.session.scalar(select(SpotCheck).where(SpotCheck.decision_id == decision.id))
    if check is None:
        check = ops.pick(decision, _someone_else(decision))
    return check


def _someone_else(decision: Any) -> Any:
    from people.models import Person

    return db.session.scalar(select(Person).where(
        Person.id.not_in([decision.decided_by_id, decision.learner_id])).limit(1))


def ld_assessment(check: SpotCheck, positions: int | list[int] = 1,
                  feedback: str = "") -> scoring.Assessment:
    version = ops.decision_rubric(check.decision)
    answers = {}
    for i, criterion in enumerate(version.criteria):
        position = positions[i] if isinstance(positions, list) else positions
        answers[criterion.id] = scoring.Answer(version.levels_for(criterion)[position].id,
                                               f"L&D on {criterion.title}")
    return scoring.Assessment(answers, feedback)


def sampled_check(org: Any, state: str = "open", *, verdict: str = "agree",
                  ld_positions: int | list[int] = 1, **decision_kw: Any) -> SpotCheck:
    """The line manager decides the learner's work; it is sampled (new approver); then L&D
    takes it to ``state`` (open, claimed, scored, done)."""
    decision = decided(org.learner, **decision_kw)
    check = check_of(decision)
    if state == "open":
        return check
    ops.claim(check, org.ld)
    if state == "claimed":
        return check
    ops.score(check, org.ld, ld_assessment(check, ld_positions), "approved")
    if state == "scored":
        return check
    ops.give_verdict(check, org.ld, verdict,
                     approver_feedback="The evidence does not show the learner leading the "
                                       "handover; the top level needs that.",
                     learner_message="Please add evidence of leading the handover yourself.",
                     internal_notes="INTERNAL: manager seems to rubber-stamp this team.")
    return check
