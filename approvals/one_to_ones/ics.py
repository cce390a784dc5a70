"""Calendar files (RFC 5545, through ``icalendar``).

A person's feed has one VEVENT per series: a stable UID (``Series.uid``), SEQUENCE from
``Series.sequence`` (bumped on every change), DTSTART/DTEND in the series' own zone with a
VTIMEZONE, an RRULE (weekly or fortnightly; UNTIL once ended or paused) and an EXDATE for each
cancelled meeting. Held meetings that are no longer on the rule (the series moved or ended since)
stay in the feed as single events. A single meeting downloads as its own event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import icalendar
from sqlalchemy import select

from approvals.one_to_ones import schedule
from approvals.one_to_ones.models import Meeting, Series
from clearance.database import as_utc, utcnow
from clearance.extensions import db
from clearance.urls import absolute_url

PRODID = "-//Clearance//One-to-ones//EN"
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _calendar(name: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def _summary(series: Series) -> str:
    return f"One-to-one: {series.manager.name} and {series.report.name}"


def _until(series: Series) -> dt.datetime | None:
    stop = series.ended_on or series.paused_from
    if stop is None:
        return None
    # Just before the first date excluded, in UTC (RFC 5545: UNTIL is UTC with a zoned DTSTART).
    return schedule.utc_start(series, stop) - dt.timedelta(seconds=1)


def series_event(series: Series, cancelled: Iterable[dt.date]) -> icalendar.Event:
    start = schedule.local_start(series, series.anchor_date)
    event = icalendar.Event()
    event.add("uid", series.uid)
    event.add("sequence", series.sequence)
    event.add("dtstamp", as_utc(series.updated_at) or utcnow())
    event.add("last-modified", as_utc(series.updated_at) or utcnow())
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(minutes=series.duration_minutes))
    rule: dict[str, Any] = {"freq": "weekly", "interval": series.interval_weeks,
                            "byday": DAYS[series.weekday]}
    until = _until(series)
    if until is not None:
        rule["until"] = until
    event.add("rrule", rule)
    exdates = sorted(d for d in cancelled if schedule.rule_dates(
        series, d, d + dt.timedelta(days=1)) == [d])
    if exdates:
        event.add("exdate", [schedule.local_start(series, d) for d in exdates])
    event.add("summary", _summary(series))
    event.add("url", absolute_url("one_to_ones.series", series_id=series.id))
    event.add("description", "Agenda, notes and decisions: "
              + absolute_url("one_to_ones.series", series_id=series.id))
    event.add("status", "CANCELLED" if series.status == "ended" and
              series.ended_on is not None and series.ended_on <= series.anchor_date
              else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def meeting_uid(series: Series, day: dt.date) -> str:
    return f"{day:%Y%m%d}-{series.uid}"


def meeting_event(meeting: Meeting) -> icalendar.Event:
    series = meeting.series
    start = (as_utc(meeting.starts_at) or utcnow()).astimezone(schedule.zone(series.timezone))
    link = absolute_url("one_to_ones.meeting", series_id=series.id,
                        day=meeting.occurs_on.isoformat())
    event = icalendar.Event()
    event.add("uid", meeting_uid(series, meeting.occurs_on))
    event.add("sequence", series.sequence)
    event.add("dtstamp", as_utc(series.updated_at) or utcnow())
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(minutes=meeting.duration_minutes))
    event.add("summary", _summary(series))
    event.add("url", link)
    event.add("description", f"Agenda and notes: {link}")
    event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
    return event


def _to_bytes(cal: icalendar.Calendar) -> bytes:
    cal.add_missing_timezones()
    return cal.to_ical()


def feed(series_list: list[Series], name: str) -> bytes:
    """The calendar of ``series_list``: a fixed number of queries for any number of series."""
    cal = _calendar(name)
    ids = [s.id for s in series_list]
    stored: dict[int, list[Meeting]] = {sid: [] for sid in ids}
    if ids:
        for meeting in db.session.scalars(select(Meeting).where(
                Meeting.series_id.in_(ids), Meeting.status.in_(("cancelled", "held")))
                .order_by(Meeting.occurs_on)):
            stored[meeting.series_id].append(meeting)
    for series in series_list:
        meetings = stored[series.id]
        cal.add_component(series_event(
            series, [m.occurs_on for m in meetings if m.status == "cancelled"]))
        for meeting in meetings:
            if meeting.status == "held" and not schedule.is_occurrence(series, meeting.occurs_on):
                cal.add_component(meeting_event(meeting))
    return _to_bytes(cal)


def single(meeting: Meeting) -> bytes:
    cal = _calendar("One-to-one")
    cal.add("method", "PUBLISH")
    cal.add_component(meeting_event(meeting))
    return _to_bytes(cal)
