"""CSV analytics exports for L&D: a page of buttons, and the streamed downloads (POST: each
download is an audit event)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, stream_with_context

from clearance import audit
from clearance.access import rule
from clearance.database import utcnow
from clearance.templating import nav_item
from portfolios.records.csv_exports import EXPORTS, stream_csv

nav_item("Exports", "records.csv_index",
         lambda u: bool(u.has_role("ld") or u.has_role("admin")), order=67,
         group="Reports")


@rule("records.csv")
def csv_index() -> Any:
    return render_template("records/csv.html", exports=EXPORTS)


@rule("records.csv")
def csv_download(name: str) -> Any:
    found = EXPORTS.get(name)
    if found is None:
        abort(404)
    _label, header, rows = found
    audit.record("records.csv_exported", object_type="csv", object_id=name)
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return Response(stream_with_context(stream_csv(header, rows())), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="clearance-{name}-{stamp}.csv"',
                             "Cache-Control": "no-store"})
