"""The draft builder: criteria and levels (add, edit, delete, move up and down with buttons),
the pass rule, the scale mode, publish and discard. Every change goes through
rubrics.operations, which refuses published and pinned versions whatever the page showed."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from clearance.access import rule
from clearance.database import rollback
from clearance.forms import choices
from rubrics import operations
from rubrics.content import content_of, publish_problems
from rubrics.errors import RubricError
from rubrics.forms import CriterionForm, LevelForm, ScaleModeForm, SettingsForm
from rubrics.models import Criterion, RubricVersion
from rubrics.scoring import format_points
from rubrics.views.common import (
    apply_errors,
    build_url,
    criterion_or_404,
    level_or_404,
    refused,
    version_of,
    version_or_404,
)


def _settings_form(version: RubricVersion, formdata: Any = None) -> SettingsForm:
    form = SettingsForm(formdata=formdata, prefix="rule")
    if version.shared_scale:
        options = [(str(i), f"{lv.name} ({format_points(lv.points)} points)")
                   for i, lv in enumerate(version.scale)]
    else:
        most = max((len(c.levels) for c in version.criteria), default=0)
        options = [(str(i), f"Level {i + 1} of each criterion"
                    + (" (the lowest)" if i == 0 else "")) for i in range(most)]
    form.pass_min_position.choices = choices([("", "No level rule"), *options])
    if formdata is None:
        form.pass_min_position.data = ("" if version.pass_min_position is None
                                       else str(version.pass_min_position))
        form.pass_min_points.data = ("" if version.pass_min_points is None
                                     else format_points(version.pass_min_points))
        form.pass_combine.data = version.pass_combine or "all"
        form.change_note.data = version.change_note
    return form


def _level_form(criterion: Criterion | None, formdata: Any = None) -> LevelForm:
    prefix = "scale" if criterion is None else f"c{criterion.id}-level"
    form = LevelForm(formdata=formdata, prefix=prefix)
    if criterion is not None:
        form.submit.label.text = "Add level"
    return form


def _render(version: RubricVersion, **forms: Any) -> Any:
    mode = ScaleModeForm(prefix="mode")
    mode.shared.data = "shared" if version.shared_scale else "own"
    context = {
        "version": version, "rubric": version.rubric,
        "criterion_form": forms.get("criterion_form") or CriterionForm(formdata=None,
                                                                       prefix="new"),
        "scale_form": forms.get("scale_form") or _level_form(None, formdata=None),
        "level_forms": {c.id: (forms.get("level_forms") or {}).get(c.id)
                        or _level_form(c, formdata=None) for c in version.criteria},
        "settings_form": forms.get("settings_form") or _settings_form(version),
        "mode_form": forms.get("mode_form") or mode,
        "problems": publish_problems(content_of(version)),
    }
    return render_template("rubrics/build.html", **context)


def _editable_or_redirect(version: RubricVersion) -> Any:
    if version.status != "draft" or version.pinned_at is not None:
        flash(f"Version {version.number} is published and cannot change. Start a new draft "
              "to make changes.", "error")
        return redirect(url_for("rubrics.show", rubric_id=version.rubric_id))
    return None


@rule("rubrics.author")
def build(version_id: int) -> Any:
    version = version_or_404(version_id)
    return _editable_or_redirect(version) or _render(version)


@rule("rubrics.author")
def settings(version_id: int) -> Any:
    version = version_or_404(version_id)
    form = _settings_form(version, formdata=request.form)
    if form.validate_on_submit():
        try:
            operations.update_version_settings(
                version, pass_min_position=form.position, pass_min_points=form.points_decimal,
                pass_combine=form.pass_combine.data or "all",
                change_note=form.change_note.data or "")
        except RubricError as exc:
            rollback()
            if version.status != "draft" or version.pinned_at is not None:
                return refused(exc, version)
            apply_errors(form, exc)
        else:
            flash("Saved the pass rule and the change note.", "success")
            return redirect(build_url(version, "pass-rule"))
    return _render(version, settings_form=form)


@rule("rubrics.author")
def scale_mode(version_id: int) -> Any:
    version = version_or_404(version_id)
    form = ScaleModeForm(prefix="mode")
    if form.validate_on_submit():
        try:
            operations.set_scale_mode(version, shared=form.shared.data == "shared")
        except RubricError as exc:
            return refused(exc, version)
        flash("Every criterion now shares one scale." if version.shared_scale
              else "Each criterion now has its own levels (copied from the scale).", "success")
        return redirect(build_url(version, "levels"))
    return _render(version, mode_form=form)


@rule("rubrics.author")
def add_criterion(version_id: int) -> Any:
    version = version_or_404(version_id)
    form = CriterionForm(prefix="new")
    if form.validate_on_submit():
        try:
            criterion = operations.add_criterion(
                version, title=form.title.data or "", description=form.description.data or "",
                weight=form.weight_decimal, comment_required=bool(form.comment_required.data))
        except RubricError as exc:
            rollback()
            if version.status != "draft" or version.pinned_at is not None:
                return refused(exc, version)
            apply_errors(form, exc)
        else:
            flash(f"Added the criterion “{criterion.title}”.", "success")
            return redirect(build_url(version, "add-criterion"))
    return _render(version, criterion_form=form)


@rule("rubrics.author")
def edit_criterion(criterion_id: int) -> Any:
    criterion = criterion_or_404(criterion_id)
    version = criterion.version
    closed = _editable_or_redirect(version)
    if closed is not None:
        return closed
    form = CriterionForm(obj=criterion if request.method == "GET" else None)
    form.submit.label.text = "Save criterion"
    if request.method == "GET":
        form.weight.data = "" if criterion.weight is None else format_points(criterion.weight)
    if form.validate_on_submit():
        try:
            operations.update_criterion(
                criterion, title=form.title.data or "", description=form.description.data or "",
                weight=form.weight_decimal, comment_required=bool(form.comment_required.data))
        except RubricError as exc:
            rollback()
            apply_errors(form, exc)
        else:
            flash(f"Saved the criterion “{criterion.title}”.", "success")
            return redirect(build_url(version, f"criterion-{criterion.id}"))
    return render_template("rubrics/criterion_edit.html", form=form, criterion=criterion,
                           version=version, rubric=version.rubric)


@rule("rubrics.author")
def delete_criterion(criterion_id: int) -> Any:
    criterion = criterion_or_404(criterion_id)
    version, title = criterion.version, criterion.title
    try:
        operations.delete_criterion(criterion)
    except RubricError as exc:
        return refused(exc, version)
    flash(f"Deleted the criterion “{title}”.", "success")
    return redirect(build_url(version, "criteria"))


@rule("rubrics.author")
def move_criterion(criterion_id: int) -> Any:
    criterion = criterion_or_404(criterion_id)
    version = criterion.version
    direction = request.form.get("direction", "")
    try:
        moved = operations.move_criterion(criterion, direction)
    except RubricError as exc:
        return refused(exc, version)
    if moved:
        flash(f"Moved “{criterion.title}” {direction} to position {criterion.position + 1}.",
              "success")
    else:
        flash(f"“{criterion.title}” is already at the {'top' if direction == 'up' else 'end'}.",
              "success")
    return redirect(build_url(version, f"criterion-{criterion.id}"))


def _add_level(version: RubricVersion, criterion: Criterion | None) -> Any:
    form = _level_form(criterion, formdata=request.form)
    if form.validate_on_submit():
        try:
            level = operations.add_level(version, criterion=criterion, name=form.name.data or "",
                                         descriptor=form.descriptor.data or "",
                                         points=form.points_decimal)
        except RubricError as exc:
            rollback()
            if version.status != "draft" or version.pinned_at is not None:
                return refused(exc, version)
            apply_errors(form, exc)
        else:
            where = "the scale" if criterion is None else f"“{criterion.title}”"
            flash(f"Added the level “{level.name}” to {where}.", "success")
            anchor = "add-level" if criterion is None else f"add-level-{criterion.id}"
            return redirect(build_url(version, anchor))
    if criterion is None:
        return _render(version, scale_form=form)
    return _render(version, level_forms={criterion.id: form})


@rule("rubrics.author")
def add_level(version_id: int) -> Any:
    return _add_level(version_or_404(version_id), None)


@rule("rubrics.author")
def add_criterion_level(criterion_id: int) -> Any:
    criterion = criterion_or_404(criterion_id)
    return _add_level(criterion.version, criterion)


@rule("rubrics.author")
def edit_level(level_id: int) -> Any:
    level = level_or_404(level_id)
    version = version_of(level)
    closed = _editable_or_redirect(version)
    if closed is not None:
        return closed
    form = LevelForm(obj=level if request.method == "GET" else None)
    form.submit.label.text = "Save level"
    if request.method == "GET":
        form.points.data = format_points(level.points)
    if form.validate_on_submit():
        try:
            operations.update_level(level, name=form.name.data or "",
                                    descriptor=form.descriptor.data or "",
                                    points=form.points_decimal)
        except RubricError as exc:
            rollback()
            apply_errors(form, exc)
        else:
            flash(f"Saved the level “{level.name}”.", "success")
            return redirect(build_url(version, f"level-{level.id}"))
    return render_template("rubrics/level_edit.html", form=form, level=level, version=version,
                           rubric=version.rubric)


@rule("rubrics.author")
def delete_level(level_id: int) -> Any:
    level = level_or_404(level_id)
    version, name = version_of(level), level.name
    anchor = "levels" if level.criterion_id is None else f"criterion-{level.criterion_id}"
    try:
        operations.delete_level(level)
    except RubricError as exc:
        return refused(exc, version)
    flash(f"Deleted the level “{name}”.", "success")
    return redirect(build_url(version, anchor))


@rule("rubrics.author")
def move_level(level_id: int) -> Any:
    level = level_or_404(level_id)
    version = version_of(level)
    direction = request.form.get("direction", "")
    try:
        moved = operations.move_level(level, direction)
    except RubricError as exc:
        return refused(exc, version)
    if moved:
        flash(f"Moved “{level.name}” {direction} to level {level.position + 1}.", "success")
    else:
        flash(f"“{level.name}” is already the {'lowest' if direction == 'up' else 'highest'} "
              "level.", "success")
    return redirect(build_url(version, f"level-{level.id}"))


@rule("rubrics.author")
def publish(version_id: int) -> Any:
    version = version_or_404(version_id)
    try:
        operations.publish(version, by=current_user._get_current_object())
    except RubricError as exc:
        return refused(exc, version)
    flash(f"Published version {version.number} of “{version.rubric.title}”. Checkpoints can "
          "now use it.", "success")
    return redirect(url_for("rubrics.show", rubric_id=version.rubric_id))


@rule("rubrics.author")
def discard(version_id: int) -> Any:
    version = version_or_404(version_id)
    number = version.number
    try:
        rubric = operations.discard_draft(version)
    except RubricError as exc:
        return refused(exc, version)
    flash(f"Discarded the draft version {number}.", "success")
    return redirect(url_for("rubrics.show", rubric_id=rubric.id))
