"""Who may export which development records.

A learner their own; a manager the records of everyone below them (direct and indirect reports);
L&D and administrators anyone's. Bulk exports: managers (their team), L&D and admins (any unit
or programme). A bulk export's ZIP is downloadable by whoever asked for it, and by L&D/admin.
CSV analytics exports are for L&D and admins.
"""

from __future__ import annotations

from typing import Any

from clearance.access import policy
from people.hierarchy import is_above


def _staff(user: Any) -> bool:
    return bool(user.has_role("ld") or user.has_role("admin"))


@policy("records.export")
def may_export_record(user: Any, person: Any) -> bool:
    if person is None:
        return False
    return person.id == user.id or _staff(user) or is_above(user, person)


@policy("records.bulk")
def may_bulk_export(user: Any, _obj: Any) -> bool:
    return _staff(user) or bool(user.is_manager)


@policy("records.bulk_any")
def may_bulk_export_any_scope(user: Any, _obj: Any) -> bool:
    """Units and programmes (not only one's own team)."""
    return _staff(user)


@policy("records.view_export")
def may_view_export(user: Any, export: Any) -> bool:
    if export is None:
        return False
    return export.requested_by_id == user.id or _staff(user)


@policy("records.csv")
def may_export_csv(user: Any, _obj: Any) -> bool:
    return _staff(user)
