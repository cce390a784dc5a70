from tests.access import NOT_FOUND, OK, REDIRECT, ROLES, Rule, only

STAFF = ("ld", "admin")
LD = ("ld",)


def _public(status):
    """Public routes: every role, signed out included, gets ``status``."""
    return dict.fromkeys(ROLES, status)


def _suggestions(o, make):
    from tests.suggestions.helpers import elective, suggest

    first = elective("Access elective")
    second = elective("Access second elective")
    return {"programme": first, "other": second,
            "suggestion": suggest(first), "second": suggest(second)}


def _path(suffix=""):
    return lambda o, x: f"/suggestions/{x['suggestion'].id}{suffix}"


def _form(o, x):
    from tests.suggestions.helpers import this_month

    return {"programme_id": str(x["other"].id), "month": this_month().strftime("%Y-%m"),
            "theme": "Coaching", "audience": "managers", "unit": ""}


RULES = [
    Rule("suggestions.index", lambda o, x: "/suggestions", only(STAFF), setup=_suggestions),
    Rule("suggestions.new", lambda o, x: "/suggestions/new", only(LD), setup=_suggestions),
    Rule("suggestions.new", lambda o, x: "/suggestions/new", only(LD, REDIRECT),
         method="POST", setup=_suggestions, data=_form),
    Rule("suggestions.edit", _path("/edit"), only(LD), setup=_suggestions),
    Rule("suggestions.edit", _path("/edit"), only(LD, REDIRECT), method="POST",
         setup=_suggestions, data=_form),
    Rule("suggestions.edit", lambda o, x: "/suggestions/999999/edit", only(LD, NOT_FOUND),
         setup=_suggestions, note="(unknown suggestion)"),
    Rule("suggestions.move", _path("/move"), only(LD, REDIRECT), method="POST",
         setup=_suggestions, data=lambda o, x: {"direction": "down"}),
    Rule("suggestions.set_active", _path("/active"), only(LD, REDIRECT), method="POST",
         setup=_suggestions, data=lambda o, x: {"active": "0"}),
    Rule("suggestions.remove", _path("/remove"), only(LD, REDIRECT), method="POST",
         setup=_suggestions),
    Rule("suggestions.embed", lambda o, x: "/suggestions/widget", only(STAFF),
         setup=_suggestions),
    Rule("suggestions.suggested", lambda o, x: "/widget/suggested", _public(OK),
         setup=_suggestions, note="(public)"),
    Rule("suggestions.suggested", lambda o, x: "/widget/suggested?as=managers", _public(OK),
         setup=_suggestions, note="(preview parameter, honoured for L&D and admin only)"),
    Rule("suggestions.go", lambda o, x: f"/widget/go/{x['suggestion'].id}", _public(REDIRECT),
         setup=_suggestions, note="(public tracking redirect)"),
    Rule("suggestions.go", lambda o, x: "/widget/go/999999", _public(NOT_FOUND),
         setup=_suggestions, note="(unknown suggestion)"),
]
