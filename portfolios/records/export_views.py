"""Bulk export pages: start an export, watch its progress, download the ZIP."""

from __future__ import annotations

from typing import Any

from flask import jsonify, redirect, render_template, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from checkpoints.models import Programme
from clearance.access import AUTHENTICATED, can, require, rule
from clearance.database import rollback, utcnow
from clearance.extensions import db
from clearance.forms import choices
from people.queries import units
from portfolios.records import bulk
from portfolios.records.forms import BulkForm
from portfolios.records.models import BulkExport


def _scope_choices() -> list[tuple[str, str]]:
    pairs = []
    if current_user.is_manager:
        pairs.append(("team:", "Everyone under me (direct and indirect reports)"))
    if can(current_user, "records.bulk_any"):
        pairs += [(f"unit:{u}", f"Unit: {u}") for u in units() if u]
        pairs += [(f"programme:{p.id}", f"Programme: {p.title}") for p in db.session.scalars(
            select(Programme).where(Programme.status.in_(("published", "archived")))
            .order_by(Programme.title))]
    return pairs


def _mine() -> list[BulkExport]:
    return list(db.session.scalars(
        select(BulkExport).where(BulkExport.requested_by_id == current_user.id)
        .order_by(BulkExport.id.desc()).limit(10)))


@rule("records.bulk")
def bulk_new() -> Any:
    form = BulkForm()
    form.scope.choices = choices(_scope_choices())
    if form.validate_on_submit():
        scope, _, value = form.scope.data.partition(":")
        try:
            export = bulk.start_export(current_user, scope, value, form.start.data,
                                       form.end.data)
        except bulk.ExportRefused as exc:
            rollback()
            form.scope.errors = [str(exc)]
        else:
            return redirect(url_for("records.bulk_status_page", export_id=export.id))
    return render_template("records/bulk_new.html", form=form, exports=_mine()), \
        (400 if form.errors else 200)


def _export_or_404(export_id: int) -> BulkExport:
    export = db.session.get(BulkExport, export_id)
    require("records.view_export", export, status=404)
    assert export is not None
    return export


def _state(export: BulkExport) -> dict[str, Any]:
    live = bulk.read_progress(export) if export.status == "running" else None
    done = live["done"] if live else export.done
    failures = live["failures"] if live else (export.failures or [])
    total = live["total"] if live else export.total
    handled = done + len(failures)
    eta = None
    if export.status == "running" and export.started_at and handled:
        from clearance.database import as_utc

        spent = (utcnow() - as_utc(export.started_at)).total_seconds()
        eta = int(spent / handled * (total - handled))
    return {"status": export.status, "done": done, "total": total, "failed": failures,
            "percent": 100 if not total else int(100 * handled / total), "eta_seconds": eta,
            "download": url_for("records.bulk_download", export_id=export.id)
            if bulk.export_path(export) else None, "error": export.error}


@rule(AUTHENTICATED)
def bulk_status_page(export_id: int) -> Any:
    export = _export_or_404(export_id)
    return render_template("records/bulk_status.html", export=export, state=_state(export))


@rule(AUTHENTICATED)
def bulk_status(export_id: int) -> Any:
    return jsonify(_state(_export_or_404(export_id)))


@rule(AUTHENTICATED)
def bulk_download(export_id: int) -> Any:
    export = _export_or_404(export_id)
    path = bulk.export_path(export)
    if path is None:
        return render_template("records/bulk_status.html", export=export,
                               state=_state(export), gone=True), 410
    return send_file(path, mimetype="application/zip", as_attachment=True,
                     download_name=f"development-records-{export.id}.zip", max_age=0)
