"""Who may see and decide approval steps."""

from __future__ import annotations

from typing import Any

from approvals import routing
from clearance.access import policy
from people.hierarchy import is_above


@policy("approvals.view_step")
def may_view_step(user: Any, step: Any) -> bool:
    """The responsible approver (also while away), whoever acts for them now, managers above
    the learner who hold or held a step of this version, and L&D/admin."""
    if step is None or user.id == step.learner_id:
        return False
    if user.has_role("ld") or user.has_role("admin"):
        return True
    if user.id == step.approver_id:
        return True
    try:
        if routing.acting_route(step.approver, step.learner).actor.id == user.id:
            return True
    except routing.RoutingError:
        pass
    from approvals.queries import step_history

    return any(s.approver_id == user.id for s in step_history(step)) and \
        is_above(user, step.learner)


@policy("approvals.decide")
def may_decide(user: Any, step: Any) -> bool:
    return step is not None and step.status == "pending" and \
        routing.may_decide(user, step.learner, step.approver)
