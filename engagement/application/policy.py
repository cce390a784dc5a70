"""Who may see and answer level-3 application checks.

The check is the learner's *current* line manager's to answer (it follows the learner when they
move); managers above them (skip-levels and up) may read it. Nobody else sees a single check:
the learner sees the answer on their own submission page (portfolios' viewing rules), and L&D
and admins see the roll-up by programme.
"""

from __future__ import annotations

from typing import Any

from clearance.access import policy


def _learner(check: Any) -> Any:
    return check.learner if check is not None else None


@policy("application_checks.answer")
def may_answer(user: Any, check: Any) -> bool:
    """The learner's line manager now (not a delegate), while the learner is active."""
    learner = _learner(check)
    return learner is not None and bool(learner.active) and learner.manager_id == user.id


@policy("application_checks.read")
def may_read(user: Any, check: Any) -> bool:
    """The line manager, and managers above the learner (read only)."""
    learner = _learner(check)
    if learner is None:
        return False
    return learner.manager_id == user.id or user.is_above(learner)


@policy("application_checks.report")
def may_report(user: Any, _obj: Any) -> bool:
    """Application rates by programme (aggregates only): L&D and admins."""
    return bool(user.has_role("ld") or user.has_role("admin"))
