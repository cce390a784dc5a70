"""Who may read results for leadership ("results.read").

L&D (who run the learning), administrators, and the managing director: the person at the top
of the org chart (no manager of their own, and people reporting to them). Other managers see
their own team's figures on their own pages, not the organisation's. A person added without a
manager and without reports is not "the top of the org chart", so a stray record cannot open
the page.
"""

from __future__ import annotations

from typing import Any

from clearance.access import policy


def is_top_of_org(user: Any) -> bool:
    return getattr(user, "manager_id", 0) is None and bool(getattr(user, "is_manager", False))


@policy("results.read")
def may_read(user: Any, _obj: Any) -> bool:
    return bool(user.has_role("ld") or user.has_role("admin") or is_top_of_org(user))
