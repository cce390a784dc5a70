from tests.access import NOT_FOUND, OK, UNAUTHORIZED, Rule, everyone

# An invalid period, so the matrix checks the permission without rendering five PDFs.
_BAD_PERIOD = {"start": "2026-01-02", "end": "2026-01-01"}
_ALLOWED = ("learner", "line_manager", "skip_manager", "ld", "admin")


def _export(status: int) -> dict[str, int | str]:
    """Whose record: her own; managers above her; L&D and admin. Others get 404."""
    return everyone(NOT_FOUND, **dict.fromkeys(_ALLOWED, status))


RULES = [
    Rule("records.record_page", lambda o, x: f"/records/people/{o.learner.id}", _export(OK)),
    Rule("records.record_pdf", lambda o, x: f"/records/people/{o.learner.id}/pdf",
         {**_export(400), "anonymous": UNAUTHORIZED}, method="POST",
         data=lambda o, x: _BAD_PERIOD, note="(invalid period: form shown again)"),
    Rule("records.verify", lambda o, x: "/records/verify", {**everyone(OK), "anonymous": OK}),
    Rule("records.verify", lambda o, x: "/records/verify", {**everyone(OK), "anonymous": OK},
         method="POST", data=lambda o, x: {"code": "DR-AAAA-BBBB-CCCC"}),
]

_STAFF = ("ld", "admin")
RULES += [
    Rule("records.csv_index", lambda o, x: "/records/csv",
         everyone(403, ld=OK, admin=OK)),
    Rule("records.csv_download", lambda o, x: "/records/csv/decisions.csv",
         {**everyone(403, ld=OK, admin=OK), "anonymous": UNAUTHORIZED}, method="POST"),
]


def _export(o, make):
    from clearance.extensions import db
    from portfolios.records.models import BulkExport
    from tests.records.factories import PERIOD

    row = BulkExport(requested_by_id=o.line.id, scope="team", scope_value="",
                     scope_label="Everyone under Lin", period_start=PERIOD[0],
                     period_end=PERIOD[1], status="running", total=1, failures=[])
    db.session.add(row)
    db.session.flush()
    return {"export_id": row.id}


_MANAGERS_AND_STAFF = ("line_manager", "skip_manager", "unrelated_manager", "ld", "admin")
_OWNER_OR_STAFF = everyone(NOT_FOUND, line_manager=OK, ld=OK, admin=OK)
RULES += [
    Rule("records.bulk_new", lambda o, x: "/records/exports",
         everyone(403, **dict.fromkeys(_MANAGERS_AND_STAFF, OK))),
    Rule("records.bulk_new", lambda o, x: "/records/exports",
         {**everyone(403, **dict.fromkeys(_MANAGERS_AND_STAFF, 400)), "anonymous": UNAUTHORIZED},
         method="POST", data=lambda o, x: {"scope": "", "start": "2026-01-01",
                                           "end": "2026-01-02"},
         note="(no scope: form shown again)"),
    Rule("records.bulk_status_page", lambda o, x: f"/records/exports/{x['export_id']}",
         _OWNER_OR_STAFF, setup=_export),
    Rule("records.bulk_status", lambda o, x: f"/records/exports/{x['export_id']}/status",
         _OWNER_OR_STAFF, setup=_export),
    Rule("records.bulk_download", lambda o, x: f"/records/exports/{x['export_id']}/download",
         everyone(NOT_FOUND, line_manager=410, ld=410, admin=410), setup=_export,
         note="(not finished: gone)"),
]
