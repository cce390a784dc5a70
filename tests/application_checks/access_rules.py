from tests.access import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Rule, everyone, only

STAFF = ("ld", "admin")


def _due(o, make):
    from tests.application_checks.helpers import due_check

    return {"check": due_check(o.learner)}


def _path(o, x):
    return f"/application-checks/{x['check'].id}"


def _answer(o, x):
    from tests.application_checks.helpers import ANSWER

    return dict(ANSWER)


RULES = [
    Rule("application_checks.tasks", lambda o, x: "/application-checks", everyone(OK),
         setup=_due),
    Rule("application_checks.check", _path,
         everyone(NOT_FOUND, line_manager=OK, skip_manager=OK), setup=_due,
         note="(the line manager answers; skip-levels read)"),
    Rule("application_checks.check", _path,
         everyone(NOT_FOUND, line_manager=REDIRECT, skip_manager=FORBIDDEN), method="POST",
         setup=_due, data=_answer),
    Rule("application_checks.programmes", lambda o, x: "/application-checks/programmes",
         only(STAFF), setup=_due),
    Rule("application_checks.programmes",
         lambda o, x: "/application-checks/programmes?period=custom&from=2026-01-01&to=2026-03-31",
         only(STAFF), setup=_due, note="(custom period)"),
    Rule("application_checks.programmes",
         lambda o, x: "/application-checks/programmes?period=custom&from=2026-03-31",
         only(STAFF, status=400), setup=_due,
         note="(a wrong period: explained to L&D, refused to others before it is read)"),
]
