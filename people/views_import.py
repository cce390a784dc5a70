"""The admin org-chart import: upload a CSV, read the preview, confirm, watch it run."""

from __future__ import annotations

import posixpath
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from clearance.access import rule
from clearance.extensions import db
from people import import_runs
from people.csvfile import parse_mapping
from people.forms import ImportForm
from people.models import ImportRun

PREVIEW_KINDS = (
    ("added", "Added", "People new to the chart."),
    ("changed", "Changed", "People whose details change."),
    ("manager_changes", "Manager changes", "People who move to a new manager (with everyone "
                                           "under them)."),
    ("reactivated", "Reactivated", "Inactive people who are in the file again."),
    ("deactivated", "Deactivated", "People missing from the file: they can no longer sign in "
                                   "and are kept, not deleted."),
)


def _run_or_404(run_id: int) -> ImportRun:
    run = db.session.get(ImportRun, run_id)
    if run is None:
        abort(404)
    return run


def _status(run: ImportRun) -> dict[str, Any]:
    """What the progress indicator shows; live figures come from the running job."""
    data: dict[str, Any] = {"id": run.id, "status": run.status, "done": run.done,
                            "total": run.total, "phase": None, "finished": run.finished}
    if run.status in ("queued", "running"):
        live = import_runs.read_progress(run)
        if live:
            data.update(status="running", done=live["done"], total=live["total"],
                        phase=live["phase"])
    return data


@rule("people.import")
def import_start() -> Any:
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        name = posixpath.basename((upload.filename or "people.csv").replace("\\", "/"))
        mapping = parse_mapping([form.mapping.data or ""])
        run = import_runs.create_run(data, filename=name[:255] or "people.csv",
                                     mapping=mapping, actor=current_user._get_current_object())
        return redirect(url_for("people.import_run", run_id=run.id))
    runs = db.session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(20)).all()
    return render_template("people/import.html", form=form, runs=runs)


@rule("people.import")
def import_run(run_id: int) -> Any:
    run = _run_or_404(run_id)
    return render_template("people/import_run.html", run=run, status=_status(run),
                           kinds=PREVIEW_KINDS)


@rule("people.import")
def import_apply(run_id: int) -> Any:
    run = _run_or_404(run_id)
    if import_runs.queue_run(run, current_user._get_current_object()):
        flash("The import has started. This page shows its progress.", "success")
    else:
        flash("This import cannot be applied (it was refused, or has already run).", "error")
    return redirect(url_for("people.import_run", run_id=run_id))


@rule("people.import")
def import_status(run_id: int) -> Any:
    run = _run_or_404(run_id)
    return jsonify(_status(run))
