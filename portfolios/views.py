"""The learner's portfolio, the checkpoint work page, submission history and downloads."""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BuildError

from checkpoints import queries as cq
from checkpoints.models import Checkpoint
from clearance.access import can, require, rule
from clearance.database import rollback
from clearance.extensions import db
from clearance.home import home_panel
from clearance.templating import nav_item
from people.models import Person
from portfolios import operations, queries
from portfolios.filecheck import ACCEPT
from portfolios.forms import LinkForm, PhotoForm, ReflectionForm, SubmitWorkForm, UploadForm
from portfolios.models import Evidence, Submission
from portfolios.panels import panels_for
from portfolios.storage import storage
from portfolios.text import render_reflection

nav_item("My portfolio", "portfolios.portfolio", lambda u: True, order=20)

PHOTO_ACCEPT = "image/jpeg,image/png,image/heic,.jpg,.jpeg,.png,.heic"


def catalogue_url() -> str | None:
    """The catalogue's address, when the checkpoints pages are installed."""
    try:
        return url_for("checkpoints.catalogue")
    except BuildError:
        return None


@home_panel("portfolios/_home_programmes.html", order=20)
def _programmes_panel(user: Any) -> dict[str, Any]:
    return {"dash": queries.dashboard(user), "catalogue_url": catalogue_url()}


@home_panel("portfolios/_home_actions.html", order=21)
def _actions_panel(user: Any) -> dict[str, Any] | None:
    dash = queries.dashboard(user)
    if not (dash.needs_action or dash.next_up or dash.feedback):
        return None
    return {"dash": dash}


# ---------------------------------------------------------------- lookups


def _checkpoint_or_404(checkpoint_id: int) -> Checkpoint:
    checkpoint = db.session.get(Checkpoint, checkpoint_id)
    if checkpoint is None or not can(current_user, "portfolios.work_on", checkpoint):
        abort(404)
    return checkpoint


def _submission_or_404(submission_id: int, action: str) -> Submission:
    submission = db.session.get(Submission, submission_id)
    if submission is None:
        abort(404)
    require(action, submission, status=404)
    return submission


def _evidence_or_404(evidence_id: int, action: str) -> Evidence:
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None:
        abort(404)
    require(action, evidence, status=404)
    return evidence


# ---------------------------------------------------------------- the portfolio


@rule("portfolios.mine")
def portfolio() -> Any:
    return render_template("portfolios/portfolio.html", person=current_user,
                           groups=queries.portfolio(current_user.id), own=True,
                           catalogue_url=catalogue_url())


@rule("portfolios.mine")
def person_portfolio(person_id: int) -> Any:
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    require("portfolios.view_person", person, status=404)
    if person.id == current_user.id:
        return redirect(url_for("portfolios.portfolio"))
    return render_template("portfolios/portfolio.html", person=person,
                           groups=queries.portfolio(person.id), own=False, catalogue_url=None)


# ---------------------------------------------------------------- the work page


def _work_page(checkpoint: Checkpoint, *, status: int = 200, errors: list[str] | None = None,
               upload: UploadForm | None = None, photo: PhotoForm | None = None,
               reflection: ReflectionForm | None = None, link: LinkForm | None = None) -> Any:
    me = current_user._get_current_object()
    submission = operations.find_submission(me, checkpoint)
    enrolment = operations.working_enrolment(me, checkpoint)
    items = queries.working_set(submission)
    current_reflection = next((e for e in reversed(items) if e.kind == "reflection"), None)
    if reflection is None:
        reflection = ReflectionForm(formdata=None,
                                    body=current_reflection.body if current_reflection else "")
    submit_form = SubmitWorkForm(formdata=None,
                                 version=str(submission.version_count if submission else 0))
    versions = queries.versions_with_evidence(submission) if submission else []
    problems = operations.requirements_problems(submission) if submission else []
    return render_template(
        "portfolios/work.html", checkpoint=checkpoint, programme=checkpoint.programme,
        submission=submission, enrolment=enrolment, items=items, versions=versions,
        due=cq.due_date(enrolment, checkpoint) if enrolment else None,
        upload=upload or UploadForm(formdata=None), photo=photo or PhotoForm(formdata=None),
        reflection=reflection, link=link or LinkForm(formdata=None), submit_form=submit_form,
        problems=problems, errors=errors or [], accept=ACCEPT, photo_accept=PHOTO_ACCEPT,
        max_bytes=operations.max_evidence_bytes(), render_reflection=render_reflection,
        catalogue_url=catalogue_url(),
    ), status


def _refused(checkpoint: Checkpoint, exc: operations.PortfolioError, **forms: Any) -> Any:
    """Nothing of a refused change is kept; show the page again with the message."""
    rollback()
    status = 403 if isinstance(exc, operations.NotEnrolled) else (
        409 if isinstance(exc, operations.SubmissionConflict) else 422)
    for form in forms.values():
        target = getattr(form, exc.field or "", None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, str(exc)]
            return _work_page(checkpoint, status=status, **forms)
    return _work_page(checkpoint, status=status, errors=[str(exc)], **forms)


def _done(checkpoint: Checkpoint, message: str, anchor: str = "evidence") -> Any:
    flash(message, "success")
    return redirect(url_for("portfolios.work", checkpoint_id=checkpoint.id, _anchor=anchor))


@rule("portfolios.mine")
def work(checkpoint_id: int) -> Any:
    return _work_page(_checkpoint_or_404(checkpoint_id))


@rule("portfolios.mine")
def upload(checkpoint_id: int) -> Any:
    checkpoint = _checkpoint_or_404(checkpoint_id)
    form, photo = UploadForm(), PhotoForm()
    chosen = form.file.data or photo.photo.data
    if not form.validate_on_submit() or not chosen or not getattr(chosen, "filename", ""):
        rollback()
        if form.csrf_token.errors:
            return _work_page(checkpoint, status=400, upload=form, photo=photo,
                              errors=["The form expired. Please choose the file again."])
        target = form.file if not photo.photo.data else photo.photo
        target.errors = [*target.errors, "Choose a file to upload."]
        return _work_page(checkpoint, status=422, upload=form, photo=photo)
    try:
        evidence = operations.add_file(current_user._get_current_object(), checkpoint,
                                       chosen.stream, chosen.filename, form.label.data or "")
    except operations.PortfolioError as exc:
        if exc.field == "file" and photo.photo.data and not form.file.data:
            exc.field = "photo"
        return _refused(checkpoint, exc, upload=form, photo=photo)
    return _done(checkpoint, f"Uploaded {evidence.original_name}.")


def upload_too_large(exc: RequestEntityTooLarge) -> Any:
    """A request over the size limit on the upload route: the work page again, with a clear
    message (the body was never read, so nothing was saved)."""
    from clearance.errors import render_error

    limit = operations.max_evidence_bytes() // 1048576
    message = (f"The file is larger than {limit} MB, the largest accepted. Make it smaller "
               "(for example, export a PDF with smaller images) and try again.")
    checkpoint_id = (request.view_args or {}).get("checkpoint_id")
    if request.endpoint != "portfolios.upload" or not current_user.is_authenticated:
        return render_error(413, message)
    checkpoint = db.session.get(Checkpoint, checkpoint_id)
    if checkpoint is None or not can(current_user, "portfolios.work_on", checkpoint):
        return render_error(413, message)
    rollback()
    form = UploadForm(formdata=None)
    form.file.errors = [message]
    return _work_page(checkpoint, status=413, upload=form)


@rule("portfolios.mine")
def reflection(checkpoint_id: int) -> Any:
    checkpoint = _checkpoint_or_404(checkpoint_id)
    form = ReflectionForm()
    if not form.validate_on_submit():
        rollback()
        return _work_page(checkpoint, status=422, reflection=form)
    try:
        operations.save_reflection(current_user._get_current_object(), checkpoint,
                                   form.body.data or "")
    except operations.PortfolioError as exc:
        return _refused(checkpoint, exc, reflection=form)
    return _done(checkpoint, "Your reflection is saved.")


@rule("portfolios.mine")
def link(checkpoint_id: int) -> Any:
    checkpoint = _checkpoint_or_404(checkpoint_id)
    form = LinkForm()
    if not form.validate_on_submit():
        rollback()
        return _work_page(checkpoint, status=422, link=form)
    try:
        operations.add_link(current_user._get_current_object(), checkpoint, form.url.data or "",
                            form.label.data or "")
    except operations.PortfolioError as exc:
        return _refused(checkpoint, exc, link=form)
    return _done(checkpoint, "The link is added.")


@rule("portfolios.mine")
def remove_evidence(evidence_id: int) -> Any:
    evidence = _evidence_or_404(evidence_id, "portfolios.edit_evidence")
    checkpoint = evidence.submission.checkpoint
    name = evidence.display_name
    try:
        operations.remove_evidence(evidence)
    except operations.PortfolioError as exc:
        return _refused(checkpoint, exc)
    return _done(checkpoint, f"Removed {name}.")


@rule("portfolios.mine")
def submit(checkpoint_id: int) -> Any:
    checkpoint = _checkpoint_or_404(checkpoint_id)
    form = SubmitWorkForm()
    me = current_user._get_current_object()
    submission = operations.find_submission(me, checkpoint)
    if not form.validate_on_submit():
        rollback()
        return _work_page(checkpoint, status=400, errors=["The form expired. Please try again."])
    raw = (form.version.data or "").strip()
    if operations.working_enrolment(me, checkpoint) is None:
        return _refused(checkpoint, operations.NotEnrolled(
            f"You are not enrolled in “{checkpoint.programme.title}”, so you cannot submit "
            "this checkpoint. Enrol from the catalogue first."))
    if submission is None:
        return _refused(checkpoint, operations.PortfolioError(
            "Add your evidence before submitting."))
    if not raw.isdigit() or int(raw) != submission.version_count:
        # A second click (or a stale or altered page): nothing new is created.
        rollback()
        flash("This checkpoint was already submitted; nothing new was sent. "
              "Here is how it stands.", "info")
        return redirect(url_for("portfolios.work", checkpoint_id=checkpoint.id, _anchor="status"))
    try:
        version = operations.submit(submission, me, expected_version=int(raw))
    except operations.SubmissionConflict:
        rollback()
        flash("This checkpoint was already submitted; nothing new was sent. "
              "Here is how it stands.", "info")
        return redirect(url_for("portfolios.work", checkpoint_id=checkpoint.id, _anchor="status"))
    except operations.PortfolioError as exc:
        return _refused(checkpoint, exc)
    return _done(checkpoint, f"Submitted version {version.number} for review.", "status")


@rule("portfolios.mine")
def withdraw(submission_id: int) -> Any:
    submission = _submission_or_404(submission_id, "portfolios.edit_submission")
    checkpoint = submission.checkpoint
    try:
        operations.withdraw(submission, current_user._get_current_object())
    except operations.PortfolioError as exc:
        return _refused(checkpoint, exc)
    return _done(checkpoint, "Withdrawn. You can change your evidence and submit it again.",
                 "status")


# ---------------------------------------------------------------- history, diff, download


@rule("portfolios.mine")
def submission(submission_id: int) -> Any:
    sub = _submission_or_404(submission_id, "portfolios.view_submission")
    versions = queries.versions_with_evidence(sub)
    numbers = [v.number for v in versions]
    return render_template("portfolios/submission.html", submission=sub, versions=versions,
                           numbers=numbers, person=sub.person, checkpoint=sub.checkpoint,
                           render_reflection=render_reflection,
                           own=sub.person_id == current_user.id,
                           panels=panels_for(sub, current_user._get_current_object()))


@rule("portfolios.mine")
def diff(submission_id: int) -> Any:
    sub = _submission_or_404(submission_id, "portfolios.view_submission")
    versions = {v.number: v for v in queries.versions_with_evidence(sub)}
    old = request.args.get("old", type=int)
    new = request.args.get("new", type=int)
    if new is None and versions:
        new = max(versions)
    if old is None and new is not None:
        old = new - 1
    if old not in versions or new not in versions or old == new:
        return render_template("portfolios/diff.html", submission=sub, result=None,
                               numbers=sorted(versions), old=old, new=new,
                               checkpoint=sub.checkpoint), 404 if len(versions) > 1 else 200
    result = queries.diff(versions[old], versions[new])
    return render_template("portfolios/diff.html", submission=sub, result=result,
                           numbers=sorted(versions), old=old, new=new, checkpoint=sub.checkpoint)


def _file_response(evidence: Evidence, disposition: str) -> Response:
    """Stream a stored evidence file: never sniffed, never scripted, never cached shared."""
    if evidence.kind != "file" or not evidence.storage_key:
        abort(404)
    store = storage()
    key = evidence.storage_key
    if not store.exists(key):
        abort(404)

    def chunks() -> Any:
        # Opened on first read, closed when done: nothing leaks if the client goes away.
        with store.open(key) as fh:
            while chunk := fh.read(256 * 1024):
                yield chunk

    response = Response(chunks(), mimetype=evidence.content_type or "application/octet-stream",
                        direct_passthrough=True)
    response.headers["Content-Disposition"] = disposition
    if evidence.size_bytes is not None:
        response.headers["Content-Length"] = str(evidence.size_bytes)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@rule("portfolios.mine")
def download(evidence_id: int) -> Any:
    evidence = _evidence_or_404(evidence_id, "portfolios.view_evidence")
    return _file_response(evidence, content_disposition(evidence.original_name or "evidence"))


@rule("portfolios.mine")
def preview(evidence_id: int) -> Any:
    """A photo or image shown inside the page (``<img>``) to whoever may download it."""
    evidence = _evidence_or_404(evidence_id, "portfolios.view_evidence")
    if not evidence.previewable:
        abort(404)
    return _file_response(evidence, "inline")


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact name in RFC 5987 form."""
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    fallback = re.sub(r'[^A-Za-z0-9._ ()-]', "_", fallback).strip() or "evidence"
    header = f'attachment; filename="{fallback}"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header

