"""The rubric library for L&D: list, create, details, history and what changed, copies,
archive; and the read-only version page everyone who may read the rubric sees."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clearance.access import AUTHENTICATED, require, rule
from clearance.database import rollback
from clearance.extensions import db
from clearance.templating import nav_item
from rubrics import operations, queries
from rubrics.content import LevelContent, VersionContent
from rubrics.errors import RubricError
from rubrics.forms import SCALES, DetailsForm, RubricForm
from rubrics.history import diff_versions
from rubrics.models import RubricVersion
from rubrics.views.common import apply_errors, refused, rubric_or_404, version_or_404

nav_item("Rubrics", "rubrics.index", lambda u: u.has_role("ld") or u.has_role("admin"),
         order=71, group="Manage")

STATUS_FILTERS = {"": "In use and drafts", "published": "Published", "draft": "Drafts only",
                  "archived": "Archived"}


@rule("rubrics.author")
def index() -> Any:
    status = request.args.get("status", "")
    status = status if status in STATUS_FILTERS else ""
    q = (request.args.get("q") or "").strip()[:200]
    page = db.paginate(queries.rubrics_stmt(status, q), page=request.args.get("page", 1, type=int),
                       per_page=50, error_out=False)
    args = {k: v for k, v in (("status", status), ("q", q)) if v}
    return render_template("rubrics/index.html", page=page, status=status, q=q, args=args,
                           filters=STATUS_FILTERS)


def _starting_content(scale: str) -> VersionContent:
    _label, levels = SCALES.get(scale, SCALES["three"])
    return VersionContent(
        shared_scale=scale != "own",
        scale=[LevelContent(name, Decimal(points), descriptor)
               for name, points, descriptor in levels],
    )


@rule("rubrics.author")
def new() -> Any:
    form = RubricForm()
    if form.validate_on_submit():
        me = current_user._get_current_object()
        try:
            rubric = operations.create_rubric(
                title=form.title.data or "", description=form.description.data or "",
                owner=me, by=me, content=_starting_content(form.scale.data or "three"))
        except RubricError as exc:
            rollback()
            apply_errors(form, exc)
        else:
            flash(f"Created “{rubric.title}”. Add its levels and criteria, then publish it.",
                  "success")
            return redirect(url_for("rubrics.build", version_id=rubric.versions[0].id))
    return render_template("rubrics/new.html", form=form)


@rule("rubrics.author")
def show(rubric_id: int) -> Any:
    rubric = rubric_or_404(rubric_id)
    versions = list(reversed(rubric.versions))
    usage = queries.usage_counts([v.id for v in versions])
    return render_template("rubrics/show.html", rubric=rubric, versions=versions, usage=usage,
                           draft=operations.draft_of(rubric),
                           current=queries.current_version(rubric))


@rule("rubrics.author")
def edit_details(rubric_id: int) -> Any:
    rubric = rubric_or_404(rubric_id)
    form = DetailsForm(obj=rubric if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            operations.update_rubric(rubric, title=form.title.data or "",
                                     description=form.description.data or "")
        except RubricError as exc:
            rollback()
            apply_errors(form, exc)
        else:
            flash("Saved the rubric's details.", "success")
            return redirect(url_for("rubrics.show", rubric_id=rubric.id))
    return render_template("rubrics/details.html", form=form, rubric=rubric)


@rule("rubrics.author")
def start_draft(rubric_id: int) -> Any:
    rubric = rubric_or_404(rubric_id)
    existing = operations.draft_of(rubric)
    if existing is not None:
        flash(f"Version {existing.number} is already a draft: carry on editing it.", "success")
        return redirect(url_for("rubrics.build", version_id=existing.id))
    try:
        version = operations.new_draft(rubric, by=current_user._get_current_object())
    except RubricError as exc:
        return refused(exc)
    flash(f"Started version {version.number} as a draft, copied from the published version. "
          "Checkpoints keep using the version they pinned.", "success")
    return redirect(url_for("rubrics.build", version_id=version.id))


@rule("rubrics.author")
def duplicate(rubric_id: int) -> Any:
    rubric = rubric_or_404(rubric_id)
    copy = operations.duplicate_rubric(rubric, by=current_user._get_current_object())
    flash(f"Created “{copy.title}”, a draft copy. Rename it and make it your own.", "success")
    return redirect(url_for("rubrics.show", rubric_id=copy.id))


@rule("rubrics.author")
def archive(rubric_id: int) -> Any:
    rubric = rubric_or_404(rubric_id)
    operations.archive(rubric)
    flash(f"Archived “{rubric.title}”. Checkpoints already using it keep their version.",
          "success")
    return redirect(url_for("rubrics.show", rubric_id=rubric.id))


@rule("rubrics.author")
def restore(rubric_id: int) -> Any:
    rubric = rubric_or_404(rubric_id)
    operations.restore(rubric)
    flash(f"Restored “{rubric.title}”.", "success")
    return redirect(url_for("rubrics.show", rubric_id=rubric.id))


@rule(AUTHENTICATED)
def version(version_id: int) -> Any:
    """A version, read-only: anyone who may read it (published versions for everyone signed
    in; drafts for authors only, and hidden from others)."""
    found = version_or_404(version_id)
    require("rubrics.read", found, status=404)
    return render_template("rubrics/version.html", version=found, rubric=found.rubric)


@rule("rubrics.author")
def changes(version_id: int) -> Any:
    found = version_or_404(version_id)
    others = [v for v in found.rubric.versions if v.id != found.id]
    against_id = request.args.get("against", type=int)
    if against_id is not None:
        base = next((v for v in others if v.id == against_id), None)
        if base is None:
            abort(404)
    else:
        earlier = [v for v in others if v.number < found.number]
        base = earlier[-1] if earlier else None
    diff = diff_versions(base, found) if base is not None else []
    return render_template("rubrics/changes.html", version=found, rubric=found.rubric,
                           base=base, changes=diff, others=others)


def version_label(version: RubricVersion) -> str:
    state = "draft" if version.status == "draft" else "published"
    return f"Version {version.number} ({state})"
