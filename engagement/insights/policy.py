"""Who may read the insights: L&D and administrators (figures about everyone's learning)."""

from __future__ import annotations

from typing import Any

from clearance.access import policy


@policy("insights.read")
def may_read(user: Any, _obj: Any) -> bool:
    """The learning funnel, its CSV and the manager engagement KPI."""
    return bool(user.has_role("ld") or user.has_role("admin"))
