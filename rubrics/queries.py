"""Read-side queries that rubric pages (and other domains) share."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import Select, func, select

from clearance.extensions import db
from rubrics.models import CommentSnippet, Rubric, RubricVersion
from rubrics.scoring import DEFAULT_MIN_FEEDBACK_CHARS


def min_feedback_chars() -> int:
    """The configured shortest overall feedback (``CLEARANCE_RUBRIC_MIN_FEEDBACK_CHARS``)."""
    return int(current_app.config.get("RUBRIC_MIN_FEEDBACK_CHARS", DEFAULT_MIN_FEEDBACK_CHARS))


def rubrics_stmt(status: str | None = None, q: str | None = None) -> Select[Any]:
    stmt = select(Rubric)
    if status == "archived":
        stmt = stmt.where(Rubric.status == "archived")
    elif status in ("draft", "published"):
        stmt = stmt.where(Rubric.status == status)
    else:
        stmt = stmt.where(Rubric.status != "archived")
    if q:
        stmt = stmt.where(Rubric.title.ilike(f"%{q.strip()}%"))
    return stmt.order_by(func.lower(Rubric.title), Rubric.id)


def current_version(rubric: Rubric) -> RubricVersion | None:
    """The latest published version (what new checkpoints should pin)."""
    published = [v for v in rubric.versions if v.status == "published"]
    return published[-1] if published else None


def published_versions() -> list[RubricVersion]:
    """The current version of every rubric that is not archived: the choices when a
    checkpoint picks its rubric."""
    latest = (select(RubricVersion.rubric_id, func.max(RubricVersion.number).label("number"))
              .where(RubricVersion.status == "published").group_by(RubricVersion.rubric_id)
              .subquery())
    stmt = (select(RubricVersion).join(Rubric)
            .join(latest, (latest.c.rubric_id == RubricVersion.rubric_id)
                  & (latest.c.number == RubricVersion.number))
            .where(Rubric.status != "archived").order_by(func.lower(Rubric.title)))
    return list(db.session.scalars(stmt))


def usage_counts(version_ids: list[int]) -> dict[int, int]:
    """How many checkpoints use each version."""
    if not version_ids:
        return {}
    from checkpoints.models import Checkpoint

    rows = db.session.execute(
        select(Checkpoint.rubric_version_id, func.count())
        .where(Checkpoint.rubric_version_id.in_(version_ids))
        .group_by(Checkpoint.rubric_version_id)
    ).all()
    return dict(rows)  # type: ignore[arg-type]


def comment_bank(version: RubricVersion) -> dict[int, list[CommentSnippet]]:
    """criterion id -> the snippets in its bank (oldest first), for every criterion."""
    by_key: dict[str, list[CommentSnippet]] = {}
    for snippet in db.session.scalars(
        select(CommentSnippet).where(CommentSnippet.rubric_id == version.rubric_id)
        .order_by(CommentSnippet.id)
    ):
        by_key.setdefault(snippet.criterion_key, []).append(snippet)
    return {c.id: by_key.get(c.key, []) for c in version.criteria}
