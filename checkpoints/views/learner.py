"""The catalogue, a programme's page, enrolling and leaving, and the learner's programmes."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from jinja2 import TemplateNotFound

from checkpoints import operations, queries
from checkpoints.errors import CheckpointsError
from checkpoints.forms import CatalogueFilterForm
from checkpoints.models import Checkpoint, Programme
from clearance.access import AUTHENTICATED, can, require, rule
from clearance.extensions import db
from clearance.forms import choices
from clearance.home import home_panel
from clearance.templating import nav_item
from engagement.events import track
from engagement.models import CATALOGUE_VIEW, PROGRAMME_VIEW

nav_item("Catalogue", "checkpoints.catalogue", lambda u: True, order=25)

WORK_ENDPOINT = "portfolios.work"  # the portfolio's page for doing a checkpoint's work
RUBRIC_GRID = "rubrics/_grid.html"


@home_panel("checkpoints/_home_suggestions.html", order=30)
def _suggestions_panel(user: Any) -> dict[str, Any] | None:
    """The soft push: new electives for the person (managers see the managers' series)."""
    found = queries.suggestions(user)
    return {"programmes": found} if found else None


def programme_or_404(programme_id: int) -> Programme:
    programme = db.session.get(Programme, programme_id)
    if programme is None:
        abort(404)
    return programme


def checkpoint_or_404(programme: Programme, checkpoint_id: int) -> Checkpoint:
    checkpoint = db.session.get(Checkpoint, checkpoint_id)
    if checkpoint is None or checkpoint.programme_id != programme.id:
        abort(404)
    return checkpoint


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def has_template(name: str) -> bool:
    try:
        current_app.jinja_env.get_template(name)
    except TemplateNotFound:
        return False
    return True


def programme_context(programme: Programme, *, preview: bool) -> dict[str, Any]:
    """What the programme page shows (the learner's page and L&D's preview share it)."""
    enrolment = None if preview else queries.active_enrolment(current_user.id, programme.id)
    return {
        "programme": programme,
        "enrolment": enrolment,
        "preview": preview,
        "released": programme.is_released(queries.today()),
        "versions": queries.rubric_versions_by_id(
            cp.rubric_version_id for cp in programme.checkpoints),
        "may_enrol": (not preview and enrolment is None
                      and can(current_user, "checkpoints.enrol", programme)),
        "may_leave": (enrolment is not None
                      and can(current_user, "checkpoints.leave", enrolment)),
        "work_links": (enrolment is not None and enrolment.is_active
                       and has_endpoint(WORK_ENDPOINT)),
        "work_endpoint": WORK_ENDPOINT,
        "due": {cp.id: queries.due_date(enrolment, cp) for cp in programme.checkpoints}
        if enrolment is not None else {},
    }


@rule(AUTHENTICATED)
def catalogue() -> Any:
    staff = queries.is_staff(current_user)
    form = CatalogueFilterForm(request.args)
    form.theme.choices = choices([("", "Any theme")]
                                 + [(t, t) for t in queries.catalogue_themes(current_user)])
    form.set_released_choices(staff)
    form.validate()

    def valid(field: Any) -> str | None:
        return None if field.errors else (field.data or None)

    stmt = queries.catalogue_stmt(current_user, q=valid(form.q), theme=valid(form.theme),
                                  audience=valid(form.audience), released=valid(form.released))
    page = db.paginate(stmt, page=request.args.get("page", 1, type=int),
                       per_page=queries.CATALOGUE_PAGE_SIZE, error_out=False)
    enrolled = queries.enrolments_by_programme(current_user.id, [p.id for p in page.items])
    args = {k: v for k, v in request.args.items() if k != "page"}
    track(CATALOGUE_VIEW, person=current_user)  # the learning funnel's top (engagement.insights)
    return render_template("checkpoints/catalogue.html", form=form, page=page,
                           enrolled=enrolled, args=args, today=queries.today(), staff=staff)


@rule(AUTHENTICATED)
def programme(programme_id: int) -> Any:
    prog = programme_or_404(programme_id)
    require("checkpoints.view_programme", prog, status=404)
    track(PROGRAMME_VIEW, person=current_user, programme_id=prog.id)  # the funnel's 2nd stage
    return render_template("checkpoints/programme.html",
                           **programme_context(prog, preview=False))


@rule(AUTHENTICATED)
def rubric(programme_id: int, checkpoint_id: int) -> Any:
    """Read the rubric a checkpoint is assessed against (before and while doing the work)."""
    prog = programme_or_404(programme_id)
    require("checkpoints.view_programme", prog, status=404)
    checkpoint = checkpoint_or_404(prog, checkpoint_id)
    versions = queries.rubric_versions_by_id([checkpoint.rubric_version_id])
    version = versions.get(checkpoint.rubric_version_id or 0)
    if version is None:
        abort(404)
    return render_template("checkpoints/rubric.html", programme=prog, checkpoint=checkpoint,
                           version=version, grid_template=RUBRIC_GRID,
                           has_grid=has_template(RUBRIC_GRID))


@rule(AUTHENTICATED)
def enrol(programme_id: int) -> Any:
    """Self-enrolment: the learner is always the signed-in person and the source is always
    ``self``, whatever else the form carries."""
    prog = programme_or_404(programme_id)
    require("checkpoints.view_programme", prog, status=404)
    require("checkpoints.enrol", prog)
    try:
        _enrolment, created = operations.self_enrol(current_user, prog)
    except CheckpointsError as exc:
        flash(str(exc), "error")
        return redirect(url_for("checkpoints.programme", programme_id=prog.id))
    if created:
        flash(f"You are enrolled in {prog.title}.", "success")
    else:
        flash(f"You were already enrolled in {prog.title}.", "info")
    return redirect(url_for("checkpoints.programme", programme_id=prog.id))


@rule(AUTHENTICATED)
def leave(programme_id: int) -> Any:
    prog = programme_or_404(programme_id)
    require("checkpoints.view_programme", prog, status=404)
    enrolment = queries.active_enrolment(current_user.id, prog.id)
    if enrolment is None:
        abort(404)
    require("checkpoints.leave", enrolment)
    operations.leave(enrolment)
    flash(f"You have left {prog.title}. Your work so far is kept; enrol again at any time.",
          "success")
    return redirect(url_for("checkpoints.my_programmes"))


@rule(AUTHENTICATED)
def my_programmes() -> Any:
    enrolments = queries.my_programmes(current_user)
    today = queries.today()
    return render_template("checkpoints/my_programmes.html", enrolments=enrolments,
                           progress=queries.progress_for(current_user, enrolments),
                           due_date=queries.due_date, today=today,
                           work_links=has_endpoint(WORK_ENDPOINT), work_endpoint=WORK_ENDPOINT)
