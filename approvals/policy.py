"""Who may see and decide approval steps."""

from __future__ import annotations

from typing import Any

from approvals import routing
from clearance.access import policy
from people.hierarchy import is_above


@policy("approvals.view_step")
def may_view_step(user: Any, step: Any) -> bool:
    """The responsible approver (also while away), whoever acts for them now, every manager
    above the learner (read-only unless it is theirs to decide), and L&D/admin."""
    if step is None or user.id == step.learner_id:
        return False
    if user.has_role("ld") or user.has_role("admin"):
        return True
    if user.id == step.approver_id or is_above(user, step.learner):
        return True
    try:
        return routing.acting_route(step.approver, step.learner).actor.id == user.id
    except routing.RoutingError:
        return False


@policy("approvals.decide")
def may_decide(user: Any, step: Any) -> bool:
    return step is not None and step.status == "pending" and \
        routing.may_decide(user, step.learner, step.approver)
