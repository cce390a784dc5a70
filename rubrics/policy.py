"""Who may do what with rubrics.

Only L&D and administrators author rubrics. Reading follows the checkpoint: everyone who may
see a checkpoint may read its rubric; for now that is anyone signed in, for a published
version. Drafts are for authors only.
"""

from __future__ import annotations

from typing import Any

from clearance.access import policy


def _is_author(user: Any) -> bool:
    return user.has_role("ld") or user.has_role("admin")


@policy("rubrics.author")
def may_author(user: Any, _obj: Any) -> bool:
    """Create, edit, publish, duplicate, archive, import and export rubrics."""
    return _is_author(user)


@policy("rubrics.read")
def may_read(user: Any, obj: Any) -> bool:
    """``obj``: a RubricVersion (or a Rubric: readable when it has a published version)."""
    if _is_author(user):
        return True
    if obj is None:
        return True
    versions = getattr(obj, "versions", None)
    if versions is not None:  # a Rubric
        return any(v.status == "published" for v in versions)
    return getattr(obj, "status", None) == "published"


@policy("rubrics.add_snippet")
def may_add_snippet(user: Any, version: Any) -> bool:
    """Add to a criterion's comment bank: authors, and managers (the approvers) who may read
    the version."""
    if _is_author(user):
        return True
    return bool(user.is_manager) and (version is None or may_read(user, version))
