"""Every one-to-ones endpoint x role. Only the two people in a series see it (skip-level
managers, L&D and administrators get 403); the manager's private notes are the manager's alone;
the calendar feed answers to its secret token only (404 once revoked)."""

from __future__ import annotations

from tests.access import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Rule, everyone, only

MANAGERS = ("line_manager", "skip_manager", "unrelated_manager")
PARTIES = ("learner", "line_manager")
MANAGER = ("line_manager",)


def _series(o, make, *, step=False, action=False, feed=None):
    from approvals.one_to_ones import operations as ops
    from tests.one_to_ones.helpers import make_series, this_weeks_day

    series = make_series(o.line, o.learner)
    day = this_weeks_day(series)
    x = {"series": series, "day": day.isoformat(),
         "base": f"/one-to-ones/series/{series.id}",
         "meeting": f"/one-to-ones/series/{series.id}/meetings/{day.isoformat()}"}
    if step:
        from tests.approvals.factories import full_assessment, submitted

        s = submitted(o.learner)
        x["step"] = s
        x["form"] = {**full_assessment(s), "outcome": "approved", "lock": str(s.lock_version),
                     "version": str(s.version_id)}
    if action:
        meeting = ops.materialise(series, day)
        x["action"] = ops.add_action(meeting, o.line, o.learner, "Book the study day")
    if feed is not None:
        x["token"] = ops.new_feed_token(o.learner)
        if feed == "revoked":
            ops.revoke_feed(o.learner)
    return x


def s(**kw):
    return lambda o, make: _series(o, make, **kw)


def schedule_form(**extra):
    return {"weekday": "1", "start_time": "09:30", "duration": "30",
            "timezone": "Europe/London", "frequency": "1", **extra}


RULES = [
    Rule("one_to_ones.index", lambda o, x: "/one-to-ones", everyone(OK)),
    Rule("one_to_ones.new_series", lambda o, x: "/one-to-ones/new", only(MANAGERS)),
    Rule("one_to_ones.new_series", lambda o, x: "/one-to-ones/new", only(MANAGERS),
         method="POST", data=lambda o, x: schedule_form(report="", start_date="2030-01-07"),
         note="(no one chosen: the form again)"),
    Rule("one_to_ones.new_for_all", lambda o, x: "/one-to-ones/new-for-everyone",
         only(MANAGERS)),
    Rule("one_to_ones.new_for_all", lambda o, x: "/one-to-ones/new-for-everyone",
         only(MANAGERS), method="POST",
         data=lambda o, x: schedule_form(stagger="5", start_date="2030-01-07"),
         note="(stagger too short: the form again)"),
    Rule("one_to_ones.series", lambda o, x: x["base"], only(PARTIES), setup=s()),
    Rule("one_to_ones.move_series", lambda o, x: x["base"] + "/move", only(MANAGER), setup=s()),
    Rule("one_to_ones.move_series", lambda o, x: x["base"] + "/move", only(MANAGER),
         method="POST", setup=s(),
         data=lambda o, x: schedule_form(timezone="Mars/Base", effective_from="2030-01-07"),
         note="(unknown time zone: the form again)"),
    Rule("one_to_ones.pause_series", lambda o, x: x["base"] + "/pause",
         only(MANAGER, REDIRECT), method="POST", setup=s()),
    Rule("one_to_ones.resume_series", lambda o, x: x["base"] + "/resume",
         only(MANAGER, REDIRECT), method="POST", setup=s()),
    Rule("one_to_ones.end_series", lambda o, x: x["base"] + "/end",
         only(MANAGER, REDIRECT), method="POST", setup=s()),
    Rule("one_to_ones.meeting", lambda o, x: x["meeting"], only(PARTIES), setup=s(),
         note="(neither party: 403)"),
    Rule("one_to_ones.meeting", lambda o, x: f"{x['meeting']}?review={x['step'].id}",
         only(PARTIES), setup=s(step=True), note="(inline review)"),
    Rule("one_to_ones.meeting_ics", lambda o, x: x["meeting"] + "/calendar.ics",
         only(PARTIES), setup=s()),
    Rule("one_to_ones.save_notes", lambda o, x: x["meeting"] + "/notes",
         only(MANAGER, REDIRECT), method="POST", setup=s(),
         data=lambda o, x: {"notes": "Talked about the rota.", "notes_version": "0"},
         note="(shared notes: the manager writes, both read)"),
    Rule("one_to_ones.save_private_notes", lambda o, x: x["meeting"] + "/private-notes",
         only(MANAGER, REDIRECT), method="POST", setup=s(),
         data=lambda o, x: {"private_notes": "Ask about workload.", "private_version": "0"},
         note="(private notes: never the report)"),
    Rule("one_to_ones.add_point", lambda o, x: x["meeting"] + "/talking-points",
         only(PARTIES, REDIRECT), method="POST", setup=s(),
         data=lambda o, x: {"body": "Study leave in March"}),
    Rule("one_to_ones.add_action", lambda o, x: x["meeting"] + "/actions",
         only(PARTIES, REDIRECT), method="POST", setup=s(),
         data=lambda o, x: {"action": "Book the course", "owner": str(o.learner.id)}),
    Rule("one_to_ones.complete_action",
         lambda o, x: f"/one-to-ones/actions/{x['action'].id}/done",
         only(PARTIES, REDIRECT), method="POST", setup=s(action=True),
         data=lambda o, x: {"back": x["day"]}),
    Rule("one_to_ones.decide",
         lambda o, x: f"{x['meeting']}/steps/{x['step'].id}/decide",
         only(MANAGER, REDIRECT), method="POST", setup=s(step=True),
         data=lambda o, x: x["form"], note="(records the meeting)"),
    Rule("one_to_ones.hold", lambda o, x: x["meeting"] + "/hold", only(MANAGER, REDIRECT),
         method="POST", setup=s(), note="(nothing undecided)"),
    Rule("one_to_ones.hold", lambda o, x: x["meeting"] + "/hold", only(MANAGER),
         method="POST", setup=s(step=True), note="(undecided items: asks about carrying)"),
    Rule("one_to_ones.cancel", lambda o, x: x["meeting"] + "/cancel", only(MANAGER, REDIRECT),
         method="POST", setup=s()),
    Rule("one_to_ones.calendar", lambda o, x: "/one-to-ones/calendar", everyone(OK)),
    Rule("one_to_ones.create_feed", lambda o, x: "/one-to-ones/calendar/feed",
         everyone(REDIRECT), method="POST"),
    Rule("one_to_ones.revoke_feed", lambda o, x: "/one-to-ones/calendar/feed/revoke",
         everyone(REDIRECT), method="POST"),
    Rule("one_to_ones.set_reminders", lambda o, x: "/one-to-ones/calendar/reminders",
         everyone(REDIRECT), method="POST", data=lambda o, x: {"reminders": "off"}),
    Rule("one_to_ones.feed", lambda o, x: f"/calendar-feeds/{x['token']}/one-to-ones.ics",
         everyone(OK, anonymous=OK), setup=s(feed="live"),
         note="(the token is the only key)"),
    Rule("one_to_ones.feed", lambda o, x: f"/calendar-feeds/{x['token']}/one-to-ones.ics",
         everyone(NOT_FOUND, anonymous=NOT_FOUND), setup=s(feed="revoked"),
         note="(revoked: 404)"),
    Rule("one_to_ones.feed", lambda o, x: "/calendar-feeds/not-a-token/one-to-ones.ics",
         everyone(NOT_FOUND, anonymous=NOT_FOUND), note="(unknown token: 404)"),
]

__all__ = ["FORBIDDEN", "RULES"]
