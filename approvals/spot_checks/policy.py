"""Who may do what with spot-checks."""

from __future__ import annotations

from typing import Any

from clearance.access import policy


def _ld(user: Any) -> bool:
    return bool(user.has_role("ld"))


@policy("spot_checks.read")
def may_read(user: Any, _obj: Any) -> bool:
    """The L&D queue, review pages, calibration dashboard and coverage report."""
    return bool(user.has_role("ld") or user.has_role("admin"))


@policy("spot_checks.work")
def may_work(user: Any, check: Any) -> bool:
    """Claim, score and give verdicts (L&D), never on one's own decisions or work."""
    if not _ld(user):
        return False
    return check is None or user.id not in (check.approver_id, check.learner_id)


@policy("spot_checks.manage")
def may_manage(user: Any, _obj: Any) -> bool:
    """Pick decisions by hand and set the rates per programme."""
    return _ld(user)


@policy("spot_checks.acknowledge")
def may_acknowledge(user: Any, check: Any) -> bool:
    """The approver acknowledges feedback on their own decision."""
    return check is not None and check.approver_id == user.id and check.verdict is not None
