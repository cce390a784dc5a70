"""The reminder e-mail: the working day before each one-to-one, the manager gets what needs a
decision. Runs hourly (``flask jobs worker``); a reminder row per meeting (its primary key)
makes a second run, or two workers at once, send nothing more. People can opt out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from huey import crontab
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from approvals.one_to_ones import queries, schedule
from approvals.one_to_ones.meetings import materialise
from approvals.one_to_ones.models import Reminder, Series
from clearance import audit
from clearance.database import utcnow
from clearance.extensions import db
from clearance.jobs import huey, job
from clearance.mail import queue_mail
from clearance.urls import absolute_url

#: reminders go out from this local hour on the working day before
SEND_FROM_HOUR = 7


def reminder_dates(today: dt.date) -> list[dt.date]:
    """Meeting dates whose working day before is ``today`` (Friday covers the weekend and
    Monday); none when ``today`` is a weekend day."""
    if today.weekday() >= 5:
        return []
    return [today + dt.timedelta(days=n) for n in range(1, 5)
            if schedule.previous_working_day(today + dt.timedelta(days=n)) == today]


def due(now: dt.datetime) -> list[tuple[Series, dt.date]]:
    out = []
    for series in db.session.scalars(select(Series).where(Series.status == "active")
                                     .order_by(Series.id)):
        local = now.astimezone(schedule.zone(series.timezone))
        if local.hour < SEND_FROM_HOUR:
            continue
        out.extend((series, day) for day in reminder_dates(local.date())
                   if schedule.is_occurrence(series, day))
    return out


def send_reminders(now: dt.datetime | None = None) -> int:
    """Queue each due reminder once. Returns how many were queued now."""
    now = now or utcnow()
    sent = 0
    for series, day in due(now):
        manager, report = series.manager, series.report
        if not manager.active or not report.active or not queries.reminders_on(manager.id):
            continue
        meeting = materialise(series, day)
        if meeting.status != "upcoming" or db.session.get(Reminder, meeting.id) is not None:
            continue
        row = Reminder(meeting_id=meeting.id, person_id=manager.id, sent_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            continue  # another worker got there first
        row.outbox_id = _mail(series, meeting, day, manager, report).id
        db.session.flush()
        audit.record("one_to_one.reminder_sent", obj=meeting,
                     after={"person_id": manager.id})
        sent += 1
    return sent


def _mail(series: Series, meeting: Any, day: dt.date, manager: Any, report: Any) -> Any:
    pending = queries.pending_for(manager.id, report.id)
    local = schedule.local_start(series, day)
    when = local.strftime("%A %d %B at %H:%M") + (
        f" ({series.timezone})" if series.timezone != "Europe/London" else "")
    subject = (f"One-to-one with {report.name} {local:%A}: "
               + (f"{len(pending)} to decide" if pending else "agenda"))
    return queue_mail(
        manager.email, subject, "one_to_ones/mail/reminder", manager=manager, report=report,
        when=when, pending=pending, points=len(queries.talking_points(meeting)),
        actions=len(queries.open_actions([series.id])),
        link=absolute_url("one_to_ones.meeting", series_id=series.id, day=day.isoformat()),
        settings_link=absolute_url("one_to_ones.calendar"))


@job()
def remind() -> int:
    return send_reminders()


@huey.periodic_task(crontab(minute="20", hour="*/1"))
def remind_hourly() -> None:
    remind.call_local()
