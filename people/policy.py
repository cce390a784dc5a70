"""Who may do what with people and the org chart."""

from __future__ import annotations

from typing import Any

from clearance.access import policy


@policy("people.view")
def may_view_person(user: Any, person: Any) -> bool:
    """The org chart is open to everyone signed in (names, titles, units, reporting lines)."""
    return person is not None


@policy("people.team")
def may_see_own_team(user: Any, _obj: Any) -> bool:
    return user.is_manager


@policy("people.admin")
def may_administer_people(user: Any, _obj: Any) -> bool:
    return user.has_role("admin")


@policy("people.import")
def may_import(user: Any, _obj: Any) -> bool:
    return user.has_role("admin")


@policy("people.manage_delegation")
def may_manage_delegation(user: Any, window: Any) -> bool:
    """A person manages their own out-of-office windows; admins may cancel anyone's."""
    return window is not None and (window.person_id == user.id or user.has_role("admin"))
