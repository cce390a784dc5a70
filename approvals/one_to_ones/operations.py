"""Every write to one-to-one series: set up, move, pause, resume, end; the per-person settings.

Flush, never commit; one audit event per change. Meeting writes (notes, talking points, action
items, holding, cancelling) live in ``meetings.py`` and are re-exported here, so callers import
every write from this module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from approvals.one_to_ones import schedule
from approvals.one_to_ones.errors import OneToOneError
from approvals.one_to_ones.meetings import (
    NotesConflict,
    add_action,
    add_talking_point,
    cancel_meeting,
    complete_action,
    mark_held,
    materialise,
    meeting_link,
    save_private_notes,
    save_shared_notes,
)
from approvals.one_to_ones.models import DEFAULT_TIMEZONE, Meeting, Preferences, Series, new_uid
from clearance import audit
from clearance.database import utcnow
from clearance.extensions import db
from clearance.notifications import notify
from clearance.urls import local_path
from people.models import Person

__all__ = [
    "NotesConflict", "OneToOneError", "Schedule", "add_action", "add_talking_point",
    "cancel_meeting", "complete_action", "create_for_all_reports", "create_series",
    "end_series", "mark_held", "materialise", "move_series", "new_feed_token", "pause_series",
    "resume_series", "revoke_feed", "save_private_notes", "save_shared_notes", "set_reminders",
]

MIN_MINUTES, MAX_MINUTES = 15, 240


@dataclass(frozen=True)
class Schedule:
    weekday: int
    start_time: dt.time
    timezone: str = DEFAULT_TIMEZONE
    interval_weeks: int = 1
    duration_minutes: int = 30

    def check(self) -> None:
        if self.weekday not in range(7):
            raise OneToOneError("Choose a day of the week.", "weekday")
        if self.interval_weeks not in (1, 2):
            raise OneToOneError("Choose weekly or fortnightly.", "frequency")
        if not schedule.valid_timezone(self.timezone):
            raise OneToOneError(f"“{self.timezone}” is not a time zone we know. Use a name "
                                "such as Europe/London.", "timezone")
        if not MIN_MINUTES <= self.duration_minutes <= MAX_MINUTES:
            raise OneToOneError(f"A one-to-one lasts between {MIN_MINUTES} and {MAX_MINUTES} "
                                "minutes.", "duration")


def _snapshot(series: Series) -> dict[str, Any]:
    return {"weekday": series.weekday, "start_time": series.start_time.strftime("%H:%M"),
            "timezone": series.timezone, "interval_weeks": series.interval_weeks,
            "duration_minutes": series.duration_minutes, "status": series.status,
            "anchor_date": series.anchor_date.isoformat(), "sequence": series.sequence}


def _touch(series: Series) -> None:
    series.sequence = (series.sequence or 0) + 1
    series.updated_at = utcnow()


def _series_link(series: Series) -> str:
    return local_path("one_to_ones.series", series_id=series.id)


def open_series_for(manager_id: int, report_id: int) -> Series | None:
    return db.session.scalar(
        select(Series).where(Series.manager_id == manager_id, Series.report_id == report_id,
                             Series.status != "ended").limit(1))


def _check_pair(manager: Person, report: Person) -> None:
    if not manager.active or not report.active:
        raise OneToOneError("One-to-ones are only for people who are active in the "
                            "organisation.", "report")
    if report.manager_id != manager.id:
        raise OneToOneError(f"{report.name} does not report to you directly, so you cannot "
                            "set up a one-to-one with them.", "report")
    if open_series_for(manager.id, report.id) is not None:
        raise OneToOneError(f"You already have a one-to-one series with {report.name}. Move or "
                            "end it instead.", "report")


def create_series(manager: Person, report: Person, plan: Schedule, start_date: dt.date
                  ) -> Series:
    """A recurring one-to-one between ``manager`` and their direct report ``report``."""
    plan.check()
    _check_pair(manager, report)
    now = utcnow()
    series = Series(manager_id=manager.id, report_id=report.id, weekday=plan.weekday,
                    start_time=plan.start_time.replace(second=0, microsecond=0),
                    duration_minutes=plan.duration_minutes, timezone=plan.timezone,
                    interval_weeks=plan.interval_weeks, start_date=start_date,
                    anchor_date=schedule.first_on_or_after(plan.weekday, start_date),
                    status="active", sequence=0, end_reason="", uid=new_uid(),
                    created_at=now, updated_at=now)
    db.session.add(series)
    db.session.flush()
    audit.record("one_to_one.series_created", obj=series,
                 after={"manager_id": manager.id, "report_id": report.id, **_snapshot(series)})
    first = series.anchor_date
    notify(report.id, "one_to_one.set_up",
           f"{manager.name} set up a {series.frequency_label.lower()} one-to-one with you, "
           f"{series.weekday_label}s at {series.start_time:%H:%M}, from {first:%d %B %Y}.",
           meeting_link(series, first))
    return series


def create_for_all_reports(manager: Person, plan: Schedule, start_date: dt.date,
                           stagger_minutes: int) -> tuple[list[Series], list[Person]]:
    """One series per direct report without one, back to back from ``plan.start_time`` every
    ``stagger_minutes``. Returns (created, skipped because they already have one)."""
    from people.hierarchy import direct_reports

    plan.check()
    if not plan.duration_minutes <= stagger_minutes <= 8 * 60:
        raise OneToOneError("Leave at least the length of a one-to-one between start times.",
                            "stagger")
    reports = direct_reports(manager.id)
    if not reports:
        raise OneToOneError("Nobody reports to you directly yet.", "report")
    todo = [r for r in reports if open_series_for(manager.id, r.id) is None]
    skipped = [r for r in reports if r not in todo]
    base = dt.datetime.combine(start_date, plan.start_time)
    last = base + dt.timedelta(minutes=stagger_minutes * (len(todo) - 1) + plan.duration_minutes)
    if todo and last.date() != start_date:
        raise OneToOneError(f"{len(todo)} one-to-ones {stagger_minutes} minutes apart from "
                            f"{plan.start_time:%H:%M} run past midnight. Start earlier or "
                            "leave less time between them.", "start_time")
    created = []
    for i, report in enumerate(todo):
        when = (base + dt.timedelta(minutes=stagger_minutes * i)).time()
        created.append(create_series(manager, report, Schedule(
            plan.weekday, when, plan.timezone, plan.interval_weeks, plan.duration_minutes),
            start_date))
    return created, skipped


def _local_today(series: Series) -> dt.date:
    return schedule.local_today(series, utcnow())


def _require_open(series: Series) -> None:
    if series.status == "ended":
        raise OneToOneError("This series has ended. Set up a new one instead.")


def move_series(series: Series, plan: Schedule, effective_from: dt.date) -> Series:
    """New day, time, zone, length or frequency from ``effective_from`` (not before today).

    Upcoming meetings already materialised on or after that date keep their notes and talking
    points and move, in order, to the new dates (cancelled ones stay cancelled on their old
    dates). The calendar UID stays; SEQUENCE goes up."""
    plan.check()
    _require_open(series)
    before = _snapshot(series)
    effective = max(effective_from, _local_today(series))
    future = list(db.session.scalars(
        select(Meeting).where(Meeting.series_id == series.id, Meeting.occurs_on >= effective,
                              Meeting.status == "upcoming")
        .order_by(Meeting.occurs_on)))
    series.weekday = plan.weekday
    series.start_time = plan.start_time.replace(second=0, microsecond=0)
    series.timezone = plan.timezone
    series.interval_weeks = plan.interval_weeks
    series.duration_minutes = plan.duration_minutes
    series.anchor_date = schedule.first_on_or_after(plan.weekday, effective)
    if series.paused_from is not None:
        series.paused_from = max(series.paused_from, series.anchor_date)
    _touch(series)
    # Two steps, so that no moved meeting collides with another's old date on the way.
    for i, meeting in enumerate(future):
        meeting.occurs_on = dt.date(9000, 1, 1) + dt.timedelta(days=i)
    db.session.flush()
    taken = set(db.session.scalars(select(Meeting.occurs_on).where(
        Meeting.series_id == series.id, Meeting.occurs_on < dt.date(9000, 1, 1))))
    day = series.anchor_date
    for meeting in future:
        while day in taken:
            day += dt.timedelta(weeks=series.interval_weeks)
        meeting.occurs_on = day
        meeting.starts_at = schedule.utc_start(series, day)
        meeting.duration_minutes = series.duration_minutes
        day += dt.timedelta(weeks=series.interval_weeks)
    db.session.flush()
    audit.record("one_to_one.series_moved", obj=series, before=before, after=_snapshot(series))
    notify(series.report_id, "one_to_one.moved",
           f"{series.manager.name} moved your one-to-one to {series.weekday_label}s at "
           f"{series.start_time:%H:%M} ({series.timezone}), from {series.anchor_date:%d %B %Y}.",
           _series_link(series))
    return series


def pause_series(series: Series, from_date: dt.date) -> Series:
    _require_open(series)
    if series.status == "paused":
        raise OneToOneError("This series is already paused.")
    before = _snapshot(series)
    series.status = "paused"
    series.paused_from = max(from_date, _local_today(series))
    _touch(series)
    db.session.flush()
    audit.record("one_to_one.series_paused", obj=series, before=before,
                 after={**_snapshot(series), "paused_from": series.paused_from.isoformat()})
    notify(series.report_id, "one_to_one.paused",
           f"{series.manager.name} paused your one-to-ones from "
           f"{series.paused_from:%d %B %Y}.", _series_link(series))
    return series


def resume_series(series: Series) -> Series:
    """Meetings again from today; the dates skipped while paused become cancelled meetings
    (calendars show them as exceptions)."""
    if series.status != "paused" or series.paused_from is None:
        raise OneToOneError("This series is not paused.")
    before = _snapshot(series)
    today = _local_today(series)
    skipped = schedule.rule_dates(series, series.paused_from, today)
    for day in skipped:
        meeting = materialise(series, day, force=True)
        if meeting.status == "upcoming":
            meeting.status = "cancelled"
            meeting.cancelled_reason = "series paused"
    series.status = "active"
    series.paused_from = None
    _touch(series)
    db.session.flush()
    audit.record("one_to_one.series_resumed", obj=series, before=before,
                 after={**_snapshot(series), "skipped": [d.isoformat() for d in skipped]})
    notify(series.report_id, "one_to_one.resumed",
           f"{series.manager.name} restarted your one-to-ones.", _series_link(series))
    return series


def end_series(series: Series, reason: str, *, actor: Person | None = None) -> Series:
    """No meetings from today on (today's, if already held, stays in the record)."""
    if series.status == "ended":
        return series
    before = _snapshot(series)
    today = _local_today(series)
    series.status = "ended"
    series.ended_on = today
    series.paused_from = None
    series.end_reason = reason[:200]
    for meeting in db.session.scalars(select(Meeting).where(
            Meeting.series_id == series.id, Meeting.occurs_on >= today,
            Meeting.status == "upcoming")):
        meeting.status = "cancelled"
        meeting.cancelled_reason = "series ended"
    _touch(series)
    db.session.flush()
    audit.record("one_to_one.series_ended", obj=series, before=before,
                 after=_snapshot(series), reason=reason)
    for person_id in (series.manager_id, series.report_id):
        if actor is not None and person_id == actor.id:
            continue
        other = series.report if person_id == series.manager_id else series.manager
        notify(person_id, "one_to_one.ended",
               f"Your one-to-one series with {other.name} ended: {reason}.",
               _series_link(series))
    return series


# ---------------------------------------------------------------- org-chart changes


def end_after_manager_change(person_ids: list[int]) -> int:
    """A report who changed manager: their series with the old manager ends, and the new
    manager is invited to set one up."""
    ended = 0
    if not person_ids:
        return 0
    for series in db.session.scalars(select(Series).where(
            Series.report_id.in_(person_ids), Series.status != "ended")).all():
        report = db.session.get(Person, series.report_id)
        db.session.refresh(report)
        if report.manager_id == series.manager_id:
            continue
        end_series(series, f"{report.name} now reports to someone else")
        ended += 1
        new_manager = db.session.get(Person, report.manager_id) if report.manager_id else None
        if new_manager is not None and new_manager.active and \
                open_series_for(new_manager.id, report.id) is None:
            notify(new_manager.id, "one_to_one.invite",
                   f"{report.name} now reports to you. Set up a weekly one-to-one with them.",
                   local_path("one_to_ones.new_series", report=report.id))
    return ended


def end_for_deactivated(person_ids: list[int]) -> int:
    if not person_ids:
        return 0
    rows = db.session.scalars(select(Series).where(
        (Series.report_id.in_(person_ids)) | (Series.manager_id.in_(person_ids)),
        Series.status != "ended")).all()
    for series in rows:
        gone = series.report if series.report_id in person_ids else series.manager
        end_series(series, f"{gone.name} is no longer active")
    return len(rows)


# ---------------------------------------------------------------- per-person settings


def preferences(person: Person, *, create: bool = False) -> Preferences | None:
    prefs = db.session.get(Preferences, person.id)
    if prefs is None and create:
        prefs = Preferences(person_id=person.id, reminders=True)
        db.session.add(prefs)
        db.session.flush()
    return prefs


def set_reminders(person: Person, on: bool) -> None:
    prefs = preferences(person, create=True)
    assert prefs is not None
    if prefs.reminders == on:
        return
    prefs.reminders = on
    db.session.flush()
    audit.record("one_to_one.reminders_" + ("on" if on else "off"), object_type="person",
                 object_id=person.id)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed_token(person: Person) -> str:
    """A new secret calendar address for ``person``; any previous one stops working."""
    prefs = preferences(person, create=True)
    assert prefs is not None
    for _ in range(3):
        token = secrets.token_urlsafe(32)
        try:
            with db.session.begin_nested():
                prefs.feed_token_hash = token_hash(token)
                prefs.feed_created_at = utcnow()
                db.session.flush()
        except IntegrityError:  # pragma: no cover (a 256-bit collision)
            continue
        audit.record("one_to_one.feed_created", object_type="person", object_id=person.id)
        return token
    raise RuntimeError("could not make a unique calendar token")


def revoke_feed(person: Person) -> bool:
    prefs = preferences(person)
    if prefs is None or prefs.feed_token_hash is None:
        return False
    prefs.feed_token_hash = None
    prefs.feed_created_at = None
    db.session.flush()
    audit.record("one_to_one.feed_revoked", object_type="person", object_id=person.id)
    return True
