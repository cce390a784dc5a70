"""Preview a version as the assessor will see it (scoring mode with the comment bank, a trial
check that saves nothing but snippets the author chose to keep), and manage the comment bank."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from clearance.access import AUTHENTICATED, require, rule
from clearance.database import rollback
from rubrics import operations, queries
from rubrics.errors import RubricError
from rubrics.forms import SnippetForm
from rubrics.models import RubricVersion
from rubrics.scoring import Assessment, check
from rubrics.views.common import (
    criterion_or_404,
    rubric_or_404,
    snippet_or_404,
    version_or_404,
)

BANK_FIELD = "{prefix}c{criterion_id}-bank"


def save_ticked_snippets(version: RubricVersion, assessment: Assessment, form: Any,
                         prefix: str = "") -> int:
    """Add each comment whose "add to the bank" box is ticked; returns how many were added."""
    added = 0
    for criterion in version.criteria:
        if not form.get(BANK_FIELD.format(prefix=prefix, criterion_id=criterion.id)):
            continue
        text = assessment.answer(criterion.id).comment.strip()
        if text:
            operations.add_snippet(criterion, text, by=current_user._get_current_object())
            added += 1
    return added


@rule("rubrics.author")
def preview(version_id: int) -> Any:
    version = version_or_404(version_id)
    minimum = queries.min_feedback_chars()
    assessment, result, saved = None, None, 0
    if request.method == "POST":
        assessment = Assessment.from_form(version, request.form)
        result = check(version, assessment, minimum)
        try:
            saved = save_ticked_snippets(version, assessment, request.form)
        except RubricError as exc:
            rollback()
            flash(str(exc), "error")
    return render_template("rubrics/preview.html", version=version, rubric=version.rubric,
                           assessment=assessment, result=result, minimum=minimum,
                           bank=queries.comment_bank(version), saved=saved)


@rule("rubrics.author")
def comments(rubric_id: int) -> Any:
    rubric = rubric_or_404(rubric_id)
    version = operations.draft_of(rubric) or queries.current_version(rubric) or rubric.versions[-1]
    forms = {c.id: SnippetForm(formdata=None, prefix=f"c{c.id}") for c in version.criteria}
    return render_template("rubrics/comments.html", rubric=rubric, version=version, forms=forms,
                           bank=queries.comment_bank(version))


@rule(AUTHENTICATED)
def add_snippet(criterion_id: int) -> Any:
    """Add to a criterion's bank: authors, and approvers who may read the version."""
    criterion = criterion_or_404(criterion_id)
    version = criterion.version
    require("rubrics.add_snippet", version, status=404 if not can_read(version) else 403)
    form = SnippetForm(prefix=f"c{criterion.id}")
    if form.validate_on_submit():
        try:
            operations.add_snippet(criterion, form.text.data or "",
                                   by=current_user._get_current_object())
        except RubricError as exc:
            rollback()
            flash(str(exc), "error")
        else:
            flash(f"Added a comment to the bank for “{criterion.title}”.", "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    target = request.form.get("next_page")
    if target == "preview":
        return redirect(url_for("rubrics.preview", version_id=version.id,
                                _anchor=f"c{criterion.id}-row"))
    if current_user.has_role("ld") or current_user.has_role("admin"):
        return redirect(url_for("rubrics.comments", rubric_id=version.rubric_id,
                                _anchor=f"bank-{criterion.id}"))
    return redirect(url_for("rubrics.version", version_id=version.id))


def can_read(version: RubricVersion) -> bool:
    from clearance.access import can

    return can(current_user, "rubrics.read", version)


@rule("rubrics.author")
def delete_snippet(snippet_id: int) -> Any:
    snippet = snippet_or_404(snippet_id)
    rubric_id = snippet.rubric_id
    operations.delete_snippet(snippet)
    flash("Removed the comment from the bank.", "success")
    return redirect(url_for("rubrics.comments", rubric_id=rubric_id))
