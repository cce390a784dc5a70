"""Lookups and small helpers the rubric views share."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, url_for

from clearance.extensions import db
from rubrics.errors import PublishError, RubricError
from rubrics.models import CommentSnippet, Criterion, Level, Rubric, RubricVersion


def rubric_or_404(rubric_id: int) -> Rubric:
    rubric = db.session.get(Rubric, rubric_id)
    if rubric is None:
        abort(404)
    return rubric


def version_or_404(version_id: int) -> RubricVersion:
    version = db.session.get(RubricVersion, version_id)
    if version is None:
        abort(404)
    return version


def criterion_or_404(criterion_id: int) -> Criterion:
    criterion = db.session.get(Criterion, criterion_id)
    if criterion is None:
        abort(404)
    return criterion


def level_or_404(level_id: int) -> Level:
    level = db.session.get(Level, level_id)
    if level is None:
        abort(404)
    return level


def snippet_or_404(snippet_id: int) -> CommentSnippet:
    snippet = db.session.get(CommentSnippet, snippet_id)
    if snippet is None:
        abort(404)
    return snippet


def version_of(level: Level) -> RubricVersion:
    return version_or_404(level.version_id)


def build_url(version: RubricVersion, anchor: str | None = None) -> str:
    return url_for("rubrics.build", version_id=version.id, _anchor=anchor)


def refused(exc: RubricError, version: RubricVersion | None = None) -> Any:
    """Flash a refusal and go back to the builder (or the rubric when the version is closed)."""
    if isinstance(exc, PublishError):
        for problem in exc.problems:
            flash(problem, "error")
    else:
        flash(str(exc), "error")
    if version is not None and version.status == "draft" and version.pinned_at is None:
        return redirect(build_url(version))
    if version is not None:
        return redirect(url_for("rubrics.show", rubric_id=version.rubric_id))
    return redirect(url_for("rubrics.index"))


def apply_errors(form: Any, exc: RubricError) -> None:
    """Put an operation's refusal on the form field it names (or the first field)."""
    target = getattr(form, exc.field or "", None)
    if target is None:
        target = next(iter(f for f in form if f.type not in ("CSRFTokenField", "SubmitField")))
    target.errors = [*target.errors, str(exc)]
