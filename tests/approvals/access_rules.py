from tests.access import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Rule, everyone, only

MANAGERS = ("line_manager", "skip_manager", "unrelated_manager")


def _step(o, make):
    from tests.approvals.factories import full_assessment, submitted

    step = submitted(o.learner)
    return {"step": step, "form": {**full_assessment(step), "outcome": "approved",
                                   "lock": str(step.lock_version),
                                   "version": str(step.version_id)}}


RULES = [
    Rule("approvals.queue", lambda o, x: "/approvals", everyone(OK)),
    Rule("approvals.team", lambda o, x: "/approvals/team", only(MANAGERS)),
    Rule("approvals.review", lambda o, x: f"/approvals/steps/{x['step'].id}",
         everyone(NOT_FOUND, line_manager=OK, skip_manager=OK, ld=OK, admin=OK), setup=_step,
         note="(line manager's pending step; managers above read it)"),
    Rule("approvals.decide", lambda o, x: f"/approvals/steps/{x['step'].id}/decide",
         everyone(NOT_FOUND, line_manager=REDIRECT, skip_manager=FORBIDDEN, ld=FORBIDDEN,
                  admin=FORBIDDEN),
         method="POST", setup=_step, data=lambda o, x: x["form"],
         note="(only the line manager decides; L&D and admin read)"),
    Rule("notifications.index", lambda o, x: "/notifications", everyone(OK)),
    Rule("notifications.open_one", lambda o, x: f"/notifications/{x['id']}/open",
         everyone(NOT_FOUND, learner=REDIRECT), method="POST",
         setup=lambda o, make: {"id": _note(o.learner.id)}),
    Rule("notifications.read_all", lambda o, x: "/notifications/read-all",
         everyone(REDIRECT), method="POST"),
]


def _note(person_id: int) -> int:
    from clearance.notifications import notify

    return notify(person_id, "test", "Something happened", "/").id
