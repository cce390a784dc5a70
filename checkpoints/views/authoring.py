"""L&D pages: programmes, their checkpoints, a learner's-eye preview, push enrolment and the
enrolment list."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from checkpoints import operations, queries
from checkpoints.errors import CheckpointsError
from checkpoints.forms import AssignForm, CheckpointForm, FilterEnrolmentsForm, ProgrammeForm
from checkpoints.models import EVIDENCE_KINDS, Checkpoint, Enrolment, Programme
from checkpoints.queries import AssignTarget
from checkpoints.views.learner import checkpoint_or_404, programme_context, programme_or_404
from clearance.access import require, rule
from clearance.database import rollback
from clearance.extensions import db
from clearance.forms import choices
from clearance.templating import nav_item
from people import queries as people_queries

nav_item("Programmes", "checkpoints.programmes", queries.is_staff, order=70, group="Manage")

PROGRAMME_FIELDS = ("title", "summary", "theme", "audience", "release_date", "kind",
                    "open_in_catalogue")


def _refused(form: Any, exc: CheckpointsError) -> None:
    """Put a refusal on its field (or the form) and drop anything half-done."""
    rollback()
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        flash(str(exc), "error")


def _back(programme: Programme) -> Any:
    return redirect(url_for("checkpoints.manage", programme_id=programme.id))


# ---- programmes ----


@rule("checkpoints.author")
def programmes() -> Any:
    status = request.args.get("status") or None
    if status not in (None, "draft", "published", "archived"):
        status = None
    q = (request.args.get("q") or "").strip()[:200]
    page = db.paginate(queries.programmes_stmt(status, q), page=request.args.get("page", 1,
                                                                                  type=int),
                       per_page=50, error_out=False)
    ids = [p.id for p in page.items]
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("checkpoints/ld/programmes.html", page=page, status=status, q=q,
                           args=args, counts=queries.enrolment_counts(ids),
                           checkpoint_counts=queries.checkpoint_counts(ids),
                           today=queries.today())


def _programme_values(form: ProgrammeForm) -> dict[str, Any]:
    return {name: getattr(form, name).data for name in PROGRAMME_FIELDS}


@rule("checkpoints.author")
def new_programme() -> Any:
    form = ProgrammeForm()
    if form.validate_on_submit():
        try:
            prog = operations.create_programme(author=current_user, **_programme_values(form))
        except CheckpointsError as exc:
            _refused(form, exc)
        else:
            flash(f"{prog.title} was created as a draft. Add its checkpoints, then publish it.",
                  "success")
            return _back(prog)
    return render_template("checkpoints/ld/programme_form.html", form=form, programme=None)


@rule("checkpoints.author")
def edit_programme(programme_id: int) -> Any:
    prog = programme_or_404(programme_id)
    form = ProgrammeForm(obj=prog if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            operations.update_programme(prog, **_programme_values(form))
        except CheckpointsError as exc:
            _refused(form, exc)
        else:
            flash("Programme saved.", "success")
            return _back(prog)
    return render_template("checkpoints/ld/programme_form.html", form=form, programme=prog)


@rule("checkpoints.author")
def manage(programme_id: int) -> Any:
    """A programme's page for L&D: its details, status and the checkpoints editor."""
    prog = programme_or_404(programme_id)
    in_use = queries.checkpoints_in_use([cp.id for cp in prog.checkpoints])
    counts = queries.enrolment_counts([prog.id]).get(prog.id, {"assigned": 0, "self": 0})
    return render_template("checkpoints/ld/manage.html", programme=prog, in_use=in_use,
                           counts=counts, today=queries.today(),
                           versions=queries.rubric_versions_by_id(
                               cp.rubric_version_id for cp in prog.checkpoints))


def _status_change(programme_id: int, change: Any, done: str) -> Any:
    prog = programme_or_404(programme_id)
    try:
        change(prog)
    except CheckpointsError as exc:
        flash(str(exc), "error")
    else:
        flash(done.format(title=prog.title), "success")
    return _back(prog)


@rule("checkpoints.author")
def publish(programme_id: int) -> Any:
    return _status_change(programme_id, operations.publish_programme,
                          "{title} is published.")


@rule("checkpoints.author")
def archive(programme_id: int) -> Any:
    return _status_change(programme_id, operations.archive_programme,
                          "{title} is archived: it has left the catalogue.")


@rule("checkpoints.author")
def restore(programme_id: int) -> Any:
    return _status_change(programme_id, operations.restore_programme,
                          "{title} is published again.")


@rule("checkpoints.author")
def preview(programme_id: int) -> Any:
    """The programme page exactly as a learner will see it (drafts included)."""
    prog = programme_or_404(programme_id)
    return render_template("checkpoints/programme.html",
                           **programme_context(prog, preview=True))


# ---- checkpoints ----


def _rubric_choices(form: CheckpointForm, current: Checkpoint | None) -> None:
    versions = queries.published_rubric_versions()
    options = [("", "No rubric")] + [
        (str(v.id), f"{v.rubric.title} (version {v.number})") for v in versions]
    if current is not None and current.rubric_version_id and \
            all(v.id != current.rubric_version_id for v in versions):
        pinned = queries.rubric_versions_by_id([current.rubric_version_id])
        v = pinned.get(current.rubric_version_id)
        if v is not None:
            options.append((str(v.id), f"{v.rubric.title} (version {v.number}, kept)"))
    form.rubric_version_id.choices = choices(options)


def _fields(form: CheckpointForm) -> operations.CheckpointFields:
    version = form.rubric_version_id.data
    return operations.CheckpointFields(
        title=form.title.data or "", guidance=form.guidance.data or "",
        min_evidence=form.min_evidence.data if form.min_evidence.data is not None else 1,
        allowed_evidence=tuple(form.allowed_evidence.data or ()),
        due_offset_days=form.due_offset_days.data, kind=form.kind.data or "",
        approval_levels=int(form.approval_levels.data or 0),
        rubric_version_id=int(version) if version else None,
        application_check_days=form.application_check_days.data)


@rule("checkpoints.author")
def new_checkpoint(programme_id: int) -> Any:
    prog = programme_or_404(programme_id)
    form = CheckpointForm()
    _rubric_choices(form, None)
    if request.method == "GET":
        form.allowed_evidence.data = list(EVIDENCE_KINDS)
    if form.validate_on_submit():
        try:
            operations.add_checkpoint(prog, _fields(form))
        except CheckpointsError as exc:
            _refused(form, exc)
        else:
            flash("Checkpoint added.", "success")
            return _back(prog)
    return render_template("checkpoints/ld/checkpoint_form.html", form=form, programme=prog,
                           checkpoint=None)


@rule("checkpoints.author")
def edit_checkpoint(programme_id: int, checkpoint_id: int) -> Any:
    prog = programme_or_404(programme_id)
    checkpoint = checkpoint_or_404(prog, checkpoint_id)
    form = CheckpointForm(obj=checkpoint if request.method == "GET" else None)
    _rubric_choices(form, checkpoint)
    if request.method == "GET":
        form.allowed_evidence.data = list(checkpoint.allowed_kinds)
        form.approval_levels.data = str(checkpoint.approval_levels)
        form.rubric_version_id.data = str(checkpoint.rubric_version_id or "")
    if form.validate_on_submit():
        try:
            operations.update_checkpoint(checkpoint, _fields(form))
        except CheckpointsError as exc:
            _refused(form, exc)
        else:
            flash("Checkpoint saved.", "success")
            return _back(prog)
    return render_template("checkpoints/ld/checkpoint_form.html", form=form, programme=prog,
                           checkpoint=checkpoint)


@rule("checkpoints.author")
def move_checkpoint(programme_id: int, checkpoint_id: int) -> Any:
    prog = programme_or_404(programme_id)
    checkpoint = checkpoint_or_404(prog, checkpoint_id)
    direction = request.form.get("direction", "")
    try:
        operations.move_checkpoint(checkpoint, direction)
    except CheckpointsError as exc:
        flash(str(exc), "error")
    return redirect(url_for("checkpoints.manage", programme_id=prog.id,
                            _anchor=f"checkpoint-{checkpoint.id}"))


@rule("checkpoints.author")
def remove_checkpoint(programme_id: int, checkpoint_id: int) -> Any:
    prog = programme_or_404(programme_id)
    checkpoint = checkpoint_or_404(prog, checkpoint_id)
    title = checkpoint.title
    try:
        operations.remove_checkpoint(checkpoint)
    except CheckpointsError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Removed the checkpoint {title}.", "success")
    return _back(prog)


# ---- push enrolment ----


def _target(form: AssignForm) -> AssignTarget | None:
    """The people the form names, or None with the problem put on the field."""
    kind = form.target.data
    if kind == "unit":
        if not form.unit.data:
            form.unit.errors = ["Choose a unit."]
            return None
        return AssignTarget("unit", unit=form.unit.data)
    if kind == "managers":
        return AssignTarget("managers")
    refs = [r for r in re.split(r"[\s,;]+", form.people.data or "") if r]
    if not refs:
        form.people.errors = ["Enter at least one employee id or e-mail address."]
        return None
    found, missing = queries.people_by_reference(refs)
    if missing:
        shown = ", ".join(missing[:10]) + (" and more" if len(missing) > 10 else "")
        form.people.errors = [f"Nobody has the employee id or e-mail address {shown}."]
        return None
    return AssignTarget("people", operations.people_ids(found))


@rule("checkpoints.assign")
def assign(programme_id: int) -> Any:
    prog = programme_or_404(programme_id)
    if prog.status != "published":
        flash("Publish the programme before assigning it.", "error")
        return _back(prog)
    require("checkpoints.assign", prog)
    form = AssignForm()
    form.unit.choices = choices([("", "Choose a unit")]
                                + [(u, u) for u in people_queries.units()])
    preview = None
    if form.validate_on_submit():
        target = _target(form)
        if target is not None and form.confirm.data == "yes":
            try:
                result = operations.assign(prog, target, by=current_user)
            except CheckpointsError as exc:
                _refused(form, exc)
            else:
                flash(f"Enrolled {result.enrolled} "
                      f"{'person' if result.enrolled == 1 else 'people'} in {prog.title}"
                      f" ({result.already} already enrolled).", "success")
                return redirect(url_for("checkpoints.enrolments", programme_id=prog.id))
        elif target is not None:
            preview = queries.assignment_preview(prog, target)
    return render_template("checkpoints/ld/assign.html", form=form, programme=prog,
                           preview=preview, managers=queries.managers_count())


@rule("checkpoints.author")
def enrolments(programme_id: int) -> Any:
    prog = programme_or_404(programme_id)
    form = FilterEnrolmentsForm(request.args)
    form.validate()
    status = "current" if form.status.errors else (form.status.data or "current")
    stmt = queries.programme_enrolments_stmt(prog, status=status,
                                             q=None if form.q.errors else form.q.data)
    page = db.paginate(stmt, page=request.args.get("page", 1, type=int), per_page=50,
                       error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page"}
    args["programme_id"] = prog.id
    return render_template("checkpoints/ld/enrolments.html", programme=prog, form=form,
                           page=page, args=args)


@rule("checkpoints.unassign")
def remove_enrolment(programme_id: int, enrolment_id: int) -> Any:
    prog = programme_or_404(programme_id)
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.programme_id != prog.id:
        abort(404)
    require("checkpoints.unassign", enrolment)
    operations.remove_enrolment(enrolment, reason="removed by Learning and Development")
    flash(f"{enrolment.person.name} is no longer enrolled in {prog.title}.", "success")
    return redirect(url_for("checkpoints.enrolments", programme_id=prog.id))
