"""Export a version (JSON, CSV) and import a file into a new rubric or a rubric's draft.
A bad file is refused with every problem and its line number; nothing is saved."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from clearance.access import rule
from clearance.database import rollback
from clearance.extensions import db
from clearance.forms import choices
from rubrics import operations, queries, transfer
from rubrics.content import content_of
from rubrics.errors import RubricError
from rubrics.forms import ImportForm
from rubrics.models import Criterion, Rubric, RubricVersion
from rubrics.views.common import version_or_404


def _download(body: str, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@rule("rubrics.author")
def export_json(version_id: int) -> Any:
    version = version_or_404(version_id)
    return _download(transfer.export_json(version), transfer.filename_for(version, "json"),
                     "application/json")


@rule("rubrics.author")
def export_csv(version_id: int) -> Any:
    version = version_or_404(version_id)
    return _download(transfer.export_csv(version), transfer.filename_for(version, "csv"),
                     "text/csv")


def _targets() -> list[Rubric]:
    return list(db.session.scalars(queries.rubrics_stmt()))


def _known_keys(rubric: Rubric) -> dict[str, str]:
    """Every criterion the rubric has had: key -> its latest title."""
    rows = db.session.execute(
        select(Criterion.key, Criterion.title).join(RubricVersion)
        .where(RubricVersion.rubric_id == rubric.id).order_by(RubricVersion.number)
    ).all()
    return dict(rows)  # type: ignore[arg-type]


def _base(rubric: Rubric) -> Any:
    source = operations.draft_of(rubric) or queries.current_version(rubric)
    return content_of(source) if source is not None else None


@rule("rubrics.author")
def import_() -> Any:
    form = ImportForm()
    rubrics = _targets()
    form.target.choices = choices([("", "A new rubric (draft)")]
                                  + [(str(r.id), f"A new draft of “{r.title}”")
                                     for r in rubrics])
    if request.method == "GET" and request.args.get("rubric", type=int):
        form.target.data = str(request.args.get("rubric", type=int))
    problems: list[transfer.Problem] = []
    if form.validate_on_submit():
        target = next((r for r in rubrics if str(r.id) == (form.target.data or "")), None)
        if form.target.data and target is None:
            form.target.errors = ["Choose a rubric from the list."]
        upload = request.files.get(form.file.name)
        if upload is None or not upload.filename:
            form.file.errors = ["Choose a .json or .csv file to import."]
        elif target is not None or not form.target.data:
            try:
                data = transfer.read_upload(upload.stream)
                imported = transfer.parse_upload(
                    data, upload.filename,
                    base=_base(target) if target is not None else None,
                    known_keys=_known_keys(target) if target is not None else None)
                return _save(imported, target, form)
            except transfer.TransferError as exc:
                rollback()
                problems = exc.problems
            except RubricError as exc:
                rollback()
                problems = [transfer.Problem(None, str(exc))]
    return render_template("rubrics/import.html", form=form, problems=problems)


def _save(imported: transfer.Imported, target: Rubric | None, form: ImportForm) -> Any:
    me = current_user._get_current_object()
    if target is None:
        title = (form.title.data or "").strip() or imported.title
        if not title:
            raise transfer.TransferError([transfer.Problem(
                None, "A CSV file has no title: enter a title for the new rubric.")])
        rubric = operations.import_as_new_rubric(imported.content, title=title,
                                                 description=imported.description, owner=me,
                                                 by=me)
        version = rubric.versions[0]
        flash(f"Imported “{rubric.title}” as a draft with {len(version.criteria)} criteria. "
              "Check it, then publish it.", "success")
    else:
        version = operations.import_into_rubric(target, imported.content, by=me)
        flash(f"Imported into version {version.number} of “{target.title}” (a draft). "
              "Check it, then publish it.", "success")
    return redirect(url_for("rubrics.build", version_id=version.id))
