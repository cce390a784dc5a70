from tests.access import FORBIDDEN, OK, REDIRECT, Rule, everyone, only

MANAGERS = ("line_manager", "skip_manager", "unrelated_manager")

RULES = [
    Rule("people.me", lambda o, x: "/me", everyone(REDIRECT)),
    Rule("people.profile", lambda o, x: f"/people/{o.learner.id}", everyone(OK),
         note="(the org chart is open to staff)"),
    Rule("people.team", lambda o, x: "/team", only(MANAGERS)),
    Rule("people.admin_list", lambda o, x: "/admin/people", only(("admin",))),
    Rule("people.admin_new", lambda o, x: "/admin/people/new", only(("admin",))),
    Rule("people.admin_new", lambda o, x: "/admin/people/new", only(("admin",), REDIRECT),
         method="POST",
         data=lambda o, x: {"employee_id": "NEW1", "name": "New Starter",
                            "email": "new.starter@example.org", "manager": o.line.employee_id,
                            "active": "y"}),
    Rule("people.admin_edit", lambda o, x: f"/admin/people/{o.learner.id}/edit",
         only(("admin",))),
    Rule("people.admin_edit", lambda o, x: f"/admin/people/{o.learner.id}/edit",
         only(("admin",), REDIRECT), method="POST",
         data=lambda o, x: {"employee_id": o.learner.employee_id, "name": "Lea Renamed",
                            "email": o.learner.email, "manager": o.line.employee_id,
                            "active": "y"}),
    Rule("people.admin_invite", lambda o, x: f"/admin/people/{o.learner.id}/invite",
         only(("admin",), REDIRECT, FORBIDDEN), method="POST"),
]


def _window(o, make):
    import datetime as dt

    from people.delegation import create_delegation

    start = dt.datetime(2030, 1, 1, 9, tzinfo=dt.UTC)
    row = create_delegation(o.line, o.unrelated, start, start + dt.timedelta(days=2))
    return {"delegation_id": row.id}


RULES += [
    Rule("people.out_of_office", lambda o, x: "/me/out-of-office", everyone(OK)),
    Rule("people.out_of_office", lambda o, x: "/me/out-of-office", everyone(OK), method="POST",
         data=lambda o, x: {"starts_at": "2031-02-01T09:00", "ends_at": "2031-02-01T08:00",
                            "delegate": o.unrelated.email},
         note="(invalid window: form shown again)"),
    Rule("people.cancel_out_of_office",
         lambda o, x: f"/me/out-of-office/{x['delegation_id']}/cancel",
         everyone(404, line_manager=REDIRECT, admin=REDIRECT), method="POST", setup=_window),
]


def _run(o, make):
    from tests.people.import_helpers import stored_run

    return {"run_id": stored_run(o)}


def _upload(o, x):
    import io

    from tests.people.import_helpers import org_csv

    return {"file": (io.BytesIO(org_csv(o)), "org.csv"), "mapping": ""}


ADMIN = ("admin",)
RULES += [
    Rule("people.import_start", lambda o, x: "/admin/people/import", only(ADMIN)),
    Rule("people.import_start", lambda o, x: "/admin/people/import", only(ADMIN, REDIRECT),
         method="POST", data=_upload),
    Rule("people.import_run", lambda o, x: f"/admin/people/import/{x['run_id']}", only(ADMIN),
         setup=_run),
    Rule("people.import_status", lambda o, x: f"/admin/people/import/{x['run_id']}/status",
         only(ADMIN), setup=_run),
    Rule("people.import_apply", lambda o, x: f"/admin/people/import/{x['run_id']}/apply",
         only(ADMIN, REDIRECT), method="POST", setup=_run),
]
