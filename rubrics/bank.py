"""The comment bank: reusable feedback per criterion that assessors insert and add to.

Snippets belong to the rubric and the criterion's stable key, so every version of the rubric
that keeps the criterion shares them. Import these from ``rubrics.operations``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from clearance import audit
from clearance.database import utcnow
from clearance.extensions import db
from rubrics.errors import RubricError
from rubrics.models import CommentSnippet, Criterion

SNIPPET_MAX = 1000


def add_snippet(criterion: Criterion, text: str, *, by: Any = None) -> CommentSnippet:
    """Add a reusable comment to the criterion's bank (shared by every version of the rubric
    that keeps the criterion). Adding a snippet that is already there returns it."""
    body = (text or "").strip()
    if not body:
        raise RubricError("Write the comment to keep in the bank.", "text")
    if len(body) > SNIPPET_MAX:
        raise RubricError(f"A comment in the bank may be at most {SNIPPET_MAX} characters.",
                          "text")
    rubric_id = criterion.version.rubric_id
    existing = db.session.scalar(select(CommentSnippet).where(
        CommentSnippet.rubric_id == rubric_id, CommentSnippet.criterion_key == criterion.key,
        CommentSnippet.text == body))
    if existing is not None:
        return existing
    snippet = CommentSnippet(rubric_id=rubric_id, criterion_key=criterion.key, text=body,
                             created_by_id=getattr(by, "id", None), created_at=utcnow())
    db.session.add(snippet)
    db.session.flush()
    audit.record("rubric_snippet.added", obj=snippet,
                 after={"rubric_id": rubric_id, "criterion_key": criterion.key, "text": body})
    return snippet


def delete_snippet(snippet: CommentSnippet) -> None:
    before = {"rubric_id": snippet.rubric_id, "criterion_key": snippet.criterion_key,
              "text": snippet.text}
    snippet_id = snippet.id
    db.session.delete(snippet)
    db.session.flush()
    audit.record("rubric_snippet.deleted", object_type="rubric_comment_snippet",
                 object_id=snippet_id, before=before)

