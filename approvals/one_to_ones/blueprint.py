"""Routes for one-to-ones (views live in views.py and meeting_views.py)."""

from __future__ import annotations

from flask import Blueprint

from approvals.one_to_ones import agenda, views
from approvals.one_to_ones import meeting_views as mv

bp = Blueprint("one_to_ones", __name__)
bp.add_app_template_global(agenda.local_start, "meeting_start")

POST = ["POST"]
SERIES = "/one-to-ones/series/<int:series_id>"
MEETING = SERIES + "/meetings/<day>"

bp.add_url_rule("/one-to-ones", view_func=views.index)
bp.add_url_rule("/one-to-ones/new", view_func=views.new_series, methods=["GET", "POST"])
bp.add_url_rule("/one-to-ones/new-for-everyone", view_func=views.new_for_all,
                methods=["GET", "POST"])
bp.add_url_rule(SERIES, view_func=views.series)
bp.add_url_rule(SERIES + "/move", view_func=views.move_series, methods=["GET", "POST"])
bp.add_url_rule(SERIES + "/pause", view_func=views.pause_series, methods=POST)
bp.add_url_rule(SERIES + "/resume", view_func=views.resume_series, methods=POST)
bp.add_url_rule(SERIES + "/end", view_func=views.end_series, methods=POST)

bp.add_url_rule(MEETING, view_func=mv.meeting)
bp.add_url_rule(MEETING + "/calendar.ics", view_func=mv.meeting_ics)
bp.add_url_rule(MEETING + "/notes", view_func=mv.save_notes, methods=POST)
bp.add_url_rule(MEETING + "/private-notes", view_func=mv.save_private_notes, methods=POST)
bp.add_url_rule(MEETING + "/talking-points", view_func=mv.add_point, methods=POST)
bp.add_url_rule(MEETING + "/actions", view_func=mv.add_action, methods=POST)
bp.add_url_rule(MEETING + "/steps/<int:step_id>/decide", view_func=mv.decide, methods=POST)
bp.add_url_rule(MEETING + "/hold", view_func=mv.hold, methods=POST)
bp.add_url_rule(MEETING + "/cancel", view_func=mv.cancel, methods=POST)
bp.add_url_rule("/one-to-ones/actions/<int:action_id>/done", view_func=mv.complete_action,
                methods=POST)

bp.add_url_rule("/one-to-ones/calendar", view_func=views.calendar)
bp.add_url_rule("/one-to-ones/calendar/feed", view_func=views.create_feed, methods=POST)
bp.add_url_rule("/one-to-ones/calendar/feed/revoke", view_func=views.revoke_feed, methods=POST)
bp.add_url_rule("/one-to-ones/calendar/reminders", view_func=views.set_reminders, methods=POST)
bp.add_url_rule("/calendar-feeds/<token>/one-to-ones.ics", view_func=views.feed)
