"""Approvals plugs into the rest of the product here: the portfolios hand-off and the
org-chart signals. Imported by the app factory (DOMAIN_MODULES)."""

from __future__ import annotations

from typing import Any

from approvals import operations
from people import signals
from portfolios import handoff
from portfolios.panels import register_version_panel
from portfolios.policy import register_submission_viewer

handoff.register_submitted_handler(operations.start_routing)
handoff.register_withdraw_blocker(operations.withdraw_blocker)
handoff.register_withdrawn_handler(operations.cancel_pending)


@signals.manager_changed.connect
def _manager_changed(_sender: Any, changes: list[signals.ManagerChange], **_: Any) -> None:
    operations.reassign_after_manager_change(sorted({c.person_id for c in changes}))


@signals.people_deactivated.connect
def _deactivated(_sender: Any, person_ids: list[int], **_: Any) -> None:
    operations.reassign_from_deactivated(list(person_ids))


def _register_demo() -> None:
    from approvals.demo import demo_decide
    from clearance.cli import register_demo_seeder
    from portfolios import demo

    demo.register_demo_decider(demo_decide)
    # after the portfolios, one-to-ones and spot-checks: waiting work sent in over past weeks
    register_demo_seeder(52, "approvals.demo_waiting:spread_waiting")


_register_demo()


@register_submission_viewer
def _acts_on_a_step(user: Any, submission: Any) -> bool:
    """A delegate acting on a pending step may read the work and download its evidence."""
    from sqlalchemy import select

    from approvals.models import ApprovalStep
    from approvals.routing import RoutingError, acting_route
    from clearance.extensions import db

    steps = db.session.scalars(select(ApprovalStep).where(
        ApprovalStep.submission_id == submission.id, ApprovalStep.status == "pending")).all()
    for step in steps:
        if step.approver_id == user.id:
            return True
        try:
            if acting_route(step.approver, step.learner).actor.id == user.id:
                return True
        except RoutingError:
            continue
    return False


def _decisions_by_version(submission: Any, viewer: Any) -> dict[int, Any]:
    """The learner (and anyone who may see the submission) reads each decision's feedback
    with the rubric, under the version it judged."""
    from approvals.queries import decisions_for_submission
    from clearance.extensions import db
    from rubrics.models import RubricVersion
    from rubrics.scoring import Answer, Assessment

    out: dict[int, Any] = {}
    rubrics: dict[int, Any] = {}
    for decision in decisions_for_submission(submission.id):
        rubric = None
        if decision.rubric_version_id:
            if decision.rubric_version_id not in rubrics:
                rubrics[decision.rubric_version_id] = db.session.get(
                    RubricVersion, decision.rubric_version_id)
            rubric = rubrics[decision.rubric_version_id]
        assessment = Assessment({s.criterion_id: Answer(s.level_id, s.comment)
                                 for s in decision.scores}, decision.overall_feedback)
        out.setdefault(decision.version_id, {"items": []})["items"].append(
            {"decision": decision, "rubric": rubric, "assessment": assessment})
    return out


register_version_panel("approvals/_version_feedback.html", _decisions_by_version)
