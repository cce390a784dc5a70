from tests.access import NOT_FOUND, OK, REDIRECT, Rule, everyone, only


def _decision(o, make):
    from tests.spot_checks.factories import decided

    return {"decision": decided(o.learner)}


def _path(o, x):
    return f"/pulse/decisions/{x['decision'].id}"


RULES = [
    Rule("pulse.answer", _path, everyone(NOT_FOUND, learner=OK), setup=_decision,
         note="(only the learner whose work was decided)"),
    Rule("pulse.answer", _path, everyone(NOT_FOUND, learner=REDIRECT), method="POST",
         setup=_decision,
         data=lambda o, x: {"activities": ["feedback", "summative"], "usefulness": "4",
                            "feedback_helped": "5"}),
    Rule("pulse.results", lambda o, x: "/pulse/results", only(("ld", "admin")),
         setup=_decision, note="(aggregates: L&D and admins; never managers)"),
    Rule("pulse.results", lambda o, x: "/pulse/results?period=month&programme=1",
         only(("ld", "admin")), setup=_decision, note="(a preset and a programme)"),
    Rule("pulse.results", lambda o, x: "/pulse/results?period=custom&from=2026-03-31",
         only(("ld", "admin"), status=400), setup=_decision,
         note="(a wrong period: explained to L&D, refused to others before it is read)"),
]
