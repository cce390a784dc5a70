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
