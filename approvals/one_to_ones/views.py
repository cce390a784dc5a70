"""One-to-ones pages: the week (manager) and upcoming meetings (report), setting up, the series
page with move, pause, resume and end, calendar settings and the feed. The meeting page itself
is in ``meeting_views.py``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from approvals.one_to_ones import forms, ics, operations, queries, schedule
from approvals.one_to_ones.models import DEFAULT_TIMEZONE, Series
from clearance.access import AUTHENTICATED, PUBLIC, require, rule
from clearance.database import rollback, utcnow
from clearance.extensions import db
from clearance.forms import choices
from clearance.home import home_panel
from clearance.templating import nav_item
from people.hierarchy import direct_reports

_FEED_URL_KEY = "one_to_ones_new_feed_url"

nav_item("One-to-ones", "one_to_ones.index",
         lambda u: u.is_manager or u.manager_id is not None, order=25)


@home_panel("one_to_ones/_home_panel.html", order=25)
def _home_panel(user: Any) -> dict[str, Any] | None:
    if not user.is_manager and user.manager_id is None:
        return None
    week = queries.week(user.id, schedule.week_of(_today())[0]) if user.is_manager else None
    mine = [u for u in queries.upcoming_for(user.id, limit=3) if u.series.report_id == user.id]
    return {"is_manager": user.is_manager, "week": week if week and week.entries else None,
            "pending": sum(e.pending for e in week.entries) if week else 0, "mine": mine}


def _me() -> Any:
    return current_user._get_current_object()


def _today() -> dt.date:
    return utcnow().astimezone(schedule.zone(DEFAULT_TIMEZONE)).date()


def series_or_404(series_id: int, action: str = "one_to_ones.view_series") -> Series:
    series = queries.get_series(series_id)
    if series is None:
        abort(404)
    require(action, series)
    return series


# ---------------------------------------------------------------- the index


@rule(AUTHENTICATED)
def index() -> Any:
    me = _me()
    try:
        monday = schedule.week_of(dt.date.fromisoformat(request.args["week"]))[0] \
            if request.args.get("week") else schedule.week_of(_today())[0]
    except ValueError:
        abort(404)
    week = queries.week(me.id, monday) if me.is_manager else None
    mine = queries.series_of(me.id)
    upcoming = queries.upcoming_for(me.id)
    managed = [s for s in mine if s.manager_id == me.id]
    with_manager = [s for s in mine if s.report_id == me.id]
    without = []
    if me.is_manager:
        have = {s.report_id for s in managed}
        without = [p for p in direct_reports(me.id) if p.id not in have]
    return render_template("one_to_ones/index.html", week=week, managed=managed,
                           with_manager=with_manager, upcoming=upcoming, without=without,
                           today=_today())


# ---------------------------------------------------------------- setting up


def _report_choices(manager: Any) -> list[Any]:
    have = {s.report_id for s in queries.series_of(manager.id) if s.manager_id == manager.id}
    return choices([("", "Choose a person")] + [(str(p.id), p.name)
                                                for p in direct_reports(manager.id)
                                                if p.id not in have])


def _plan(form: Any) -> operations.Schedule:
    return operations.Schedule(int(form.weekday.data), form.start_time.data,
                               form.timezone.data, int(form.frequency.data),
                               int(form.duration.data))


def _refused(form: Any, exc: operations.OneToOneError) -> None:
    rollback()
    target = getattr(form, exc.field or "", None) or form.weekday
    if exc.field == "frequency":
        target = form.frequency
    target.errors = [*(target.errors or []), str(exc)]


@rule("one_to_ones.set_up")
def new_series() -> Any:
    me = _me()
    form = forms.SeriesForm()
    form.report.choices = _report_choices(me)
    if request.method == "GET":
        form.start_date.data = _today()
        form.weekday.data = str(_today().weekday())
        if request.args.get("report", "").isdigit():
            form.report.data = request.args["report"]
    if form.validate_on_submit():
        report = db.session.get(type(me), int(form.report.data)) \
            if form.report.data.isdigit() else None
        try:
            if report is None:
                raise operations.OneToOneError("Choose a person.", "report")
            series = operations.create_series(me, report, _plan(form), form.start_date.data)
        except operations.OneToOneError as exc:
            _refused(form, exc)
        else:
            flash(f"Your one-to-ones with {report.name} are set up: "
                  f"{series.weekday_label}s at {series.start_time:%H:%M}.", "success")
            return redirect(url_for("one_to_ones.series", series_id=series.id))
    return render_template("one_to_ones/new.html", form=form)


@rule("one_to_ones.set_up")
def new_for_all() -> Any:
    me = _me()
    form = forms.AllReportsForm()
    if request.method == "GET":
        form.start_date.data = _today()
        form.weekday.data = str(_today().weekday())
    if form.validate_on_submit():
        try:
            created, skipped = operations.create_for_all_reports(
                me, _plan(form), form.start_date.data, int(form.stagger.data))
        except operations.OneToOneError as exc:
            _refused(form, exc)
        else:
            note = f" ({len(skipped)} already had one.)" if skipped else ""
            flash(f"Set up {len(created)} one-to-one series.{note}", "success")
            return redirect(url_for("one_to_ones.index"))
    return render_template("one_to_ones/new_all.html", form=form, reports=direct_reports(me.id))


# ---------------------------------------------------------------- one series


@rule(AUTHENTICATED)
def series(series_id: int) -> Any:
    found = series_or_404(series_id)
    today = schedule.local_today(found, utcnow())
    coming = [m for m in queries.timeline(found, today - dt.timedelta(days=6),
                                          today + dt.timedelta(weeks=8))
              if m.status == "upcoming"][:6]
    return render_template("one_to_ones/series.html", series=found, coming=coming,
                           history=queries.history(found),
                           actions=queries.open_actions([found.id]),
                           end_form=forms.EndForm(), is_manager=found.manager_id == _me().id)


@rule(AUTHENTICATED)
def move_series(series_id: int) -> Any:
    found = series_or_404(series_id, "one_to_ones.manage_series")
    form = forms.MoveForm()
    if request.method == "GET":
        form.weekday.data = str(found.weekday)
        form.start_time.data = found.start_time
        form.duration.data = found.duration_minutes
        form.timezone.data = found.timezone
        form.frequency.data = str(found.interval_weeks)
        form.effective_from.data = schedule.local_today(found, utcnow())
    if form.validate_on_submit():
        try:
            operations.move_series(found, _plan(form), form.effective_from.data)
        except operations.OneToOneError as exc:
            _refused(form, exc)
            found = series_or_404(series_id, "one_to_ones.manage_series")
        else:
            flash(f"Moved: {found.weekday_label}s at {found.start_time:%H:%M} from "
                  f"{found.anchor_date:%d %B %Y}.", "success")
            return redirect(url_for("one_to_ones.series", series_id=found.id))
    return render_template("one_to_ones/move.html", series=found, form=form)


def _series_action(series_id: int, fn: Any, done: str) -> Any:
    found = series_or_404(series_id, "one_to_ones.manage_series")
    try:
        fn(found)
    except operations.OneToOneError as exc:
        rollback()
        flash(str(exc), "error")
    else:
        flash(done, "success")
    return redirect(url_for("one_to_ones.series", series_id=series_id))


@rule(AUTHENTICATED)
def pause_series(series_id: int) -> Any:
    return _series_action(series_id, lambda s: operations.pause_series(
        s, schedule.local_today(s, utcnow())), "Paused. No one-to-ones until you restart it.")


@rule(AUTHENTICATED)
def resume_series(series_id: int) -> Any:
    return _series_action(series_id, operations.resume_series, "Restarted.")


@rule(AUTHENTICATED)
def end_series(series_id: int) -> Any:
    form = forms.EndForm()
    reason = (form.reason.data or "").strip() or "ended by the manager"
    return _series_action(series_id, lambda s: operations.end_series(s, reason, actor=_me()),
                          "The series has ended.")


# ---------------------------------------------------------------- calendar settings and feed


@rule(AUTHENTICATED)
def calendar() -> Any:
    prefs = queries.preferences(_me().id)
    new_url = session.pop(_FEED_URL_KEY, None)
    return render_template("one_to_ones/calendar.html", prefs=prefs, new_url=new_url,
                           reminders=queries.reminders_on(_me().id))


@rule(AUTHENTICATED)
def create_feed() -> Any:
    token = operations.new_feed_token(_me())
    session[_FEED_URL_KEY] = url_for("one_to_ones.feed", token=token, _external=True)
    flash("Your new calendar address is below. Any earlier address no longer works.", "success")
    return redirect(url_for("one_to_ones.calendar"))


@rule(AUTHENTICATED)
def revoke_feed() -> Any:
    if operations.revoke_feed(_me()):
        flash("Calendar address turned off. Calendars using it stop updating.", "success")
    return redirect(url_for("one_to_ones.calendar"))


@rule(AUTHENTICATED)
def set_reminders() -> Any:
    on = request.form.get("reminders") == "on"
    operations.set_reminders(_me(), on)
    flash("Reminder e-mails are " + ("on." if on else "off."), "success")
    return redirect(url_for("one_to_ones.calendar"))


@rule(PUBLIC)
def feed(token: str) -> Any:
    """The secret calendar address: no sign-in, so nothing but the token decides (404)."""
    if len(token) > 100:
        abort(404)
    person = queries.person_for_feed(operations.token_hash(token))
    if person is None:
        abort(404)
    body = ics.feed(queries.series_of(person.id, include_ended=True),
                    f"One-to-ones: {person.name}")
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
