"""Who may curate suggestions and see the intranet widget's admin page.

The widget itself and its tracking redirect are public (the intranet shows them to anyone);
what they show depends on who is signed in, never on a permission.
"""

from __future__ import annotations

from typing import Any

from clearance.access import policy


@policy("suggestions.read")
def may_read(user: Any, _obj: Any) -> bool:
    """The curation list and the intranet widget page: L&D, and administrators (read only)."""
    return bool(user.has_role("ld") or user.has_role("admin"))


@policy("suggestions.manage")
def may_manage(user: Any, _obj: Any) -> bool:
    """Add, edit, reorder, hide and remove suggestions: L&D."""
    return bool(user.has_role("ld"))
