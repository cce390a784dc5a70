"""Calendar files: parsed by icalendar, expanded by recurring-ical-events across a change of the
clocks; the UID stays and SEQUENCE goes up when the series changes; the feed's token."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import recurring_ical_events
from freezegun import freeze_time

from approvals.one_to_ones import operations as ops
from approvals.one_to_ones.models import Series
from tests.conftest import login
from tests.one_to_ones.helpers import make_series

LONDON = "Europe/London"


def _feed(client, token):
    response = client.get(f"/calendar-feeds/{token}/one-to-ones.ics")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(response.data)


def _series_event(cal, series: Series):
    events = [e for e in cal.walk("VEVENT") if str(e["UID"]) == series.uid]
    assert len(events) == 1
    return events[0]


def test_feed_expands_across_the_clock_change_at_nine_local(client, org, db_session):
    with freeze_time("2026-03-01 12:00:00"):
        series = ops.create_series(org.line, org.learner, ops.Schedule(0, dt.time(9), LONDON),
                                   dt.date(2026, 3, 2))
        token = ops.new_feed_token(org.learner)
        db_session.commit()
        cal = _feed(client, token)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == [LONDON]
    event = _series_event(cal, series)
    assert event["RRULE"]["FREQ"] == ["WEEKLY"] and event["RRULE"]["BYDAY"] == ["MO"]
    starts = [e["DTSTART"].dt for e in recurring_ical_events.of(cal).between(
        dt.date(2026, 3, 16), dt.date(2026, 4, 7))]
    assert [s.date() for s in starts] == [dt.date(2026, 3, 16), dt.date(2026, 3, 23),
                                          dt.date(2026, 3, 30), dt.date(2026, 4, 6)]
    assert {(s.hour, s.minute) for s in starts} == {(9, 0)}  # local, both sides of 29 March
    assert [s.astimezone(dt.UTC).hour for s in starts] == [9, 9, 8, 8]


def test_uid_stays_sequence_rises_and_cancelled_dates_drop_out(client, org, db_session):
    with freeze_time("2026-03-01 12:00:00"):
        series = ops.create_series(org.line, org.learner, ops.Schedule(0, dt.time(9), LONDON),
                                   dt.date(2026, 3, 2))
        token = ops.new_feed_token(org.line)
        db_session.commit()
        first = _series_event(_feed(client, token), series)
        ops.cancel_meeting(ops.materialise(series, dt.date(2026, 3, 9)), org.line, "training")
        ops.move_series(series, ops.Schedule(2, dt.time(14, 30), LONDON, 2), dt.date(2026, 3, 1))
        db_session.commit()
        cal = _feed(client, token)
    moved = _series_event(cal, series)
    assert str(moved["UID"]) == str(first["UID"]) == series.uid
    assert int(moved["SEQUENCE"]) > int(first["SEQUENCE"])
    assert moved["RRULE"]["INTERVAL"] == [2] and moved["RRULE"]["BYDAY"] == ["WE"]
    days = [e["DTSTART"].dt for e in recurring_ical_events.of(cal).between(
        dt.date(2026, 3, 1), dt.date(2026, 4, 30))]
    assert all(d.weekday() == 2 and (d.hour, d.minute) == (14, 30) for d in days)
    assert [d.date() for d in days][:2] == [dt.date(2026, 3, 4), dt.date(2026, 3, 18)]


def test_a_cancelled_meeting_is_an_exception_of_the_rule(client, org, db_session):
    with freeze_time("2026-03-01 12:00:00"):
        series = ops.create_series(org.line, org.learner, ops.Schedule(0, dt.time(9), LONDON),
                                   dt.date(2026, 3, 2))
        ops.cancel_meeting(ops.materialise(series, dt.date(2026, 3, 9)), org.line, "leave")
        token = ops.new_feed_token(org.learner)
        db_session.commit()
        cal = _feed(client, token)
    days = [e["DTSTART"].dt.date() for e in recurring_ical_events.of(cal).between(
        dt.date(2026, 3, 1), dt.date(2026, 3, 20))]
    assert days == [dt.date(2026, 3, 2), dt.date(2026, 3, 16)]


def test_ended_series_stops_and_held_meetings_stay(client, org, db_session):
    with freeze_time("2026-03-01 12:00:00"):
        series = ops.create_series(org.line, org.learner, ops.Schedule(0, dt.time(9), LONDON),
                                   dt.date(2026, 3, 2))
    with freeze_time("2026-03-02 10:00:00"):
        ops.mark_held(ops.materialise(series, dt.date(2026, 3, 2)), org.line, carry=False)
    with freeze_time("2026-03-10 12:00:00"):
        ops.end_series(series, "new role")
        token = ops.new_feed_token(org.learner)
        db_session.commit()
        cal = _feed(client, token)
    days = [e["DTSTART"].dt.date() for e in recurring_ical_events.of(cal).between(
        dt.date(2026, 3, 1), dt.date(2026, 6, 1))]
    assert days == [dt.date(2026, 3, 2), dt.date(2026, 3, 9)]


def test_single_meeting_download(client, org, db_session):
    series = make_series(org.line, org.learner)
    day = series.anchor_date + dt.timedelta(days=7)
    db_session.commit()
    login(client, org.learner)
    response = client.get(f"/one-to-ones/series/{series.id}/meetings/{day.isoformat()}"
                          "/calendar.ics")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    cal = icalendar.Calendar.from_ical(response.data)
    (event,) = cal.walk("VEVENT")
    assert event["DTSTART"].dt.date() == day and series.uid in str(event["UID"])
    assert event["DTSTART"].dt.hour == 9
    assert cal.walk("VTIMEZONE")


def test_revoked_and_replaced_tokens_stop_working(client, org, db_session):
    make_series(org.line, org.learner)
    old = ops.new_feed_token(org.learner)
    new = ops.new_feed_token(org.learner)
    db_session.commit()
    assert client.get(f"/calendar-feeds/{old}/one-to-ones.ics").status_code == 404
    assert client.get(f"/calendar-feeds/{new}/one-to-ones.ics").status_code == 200
    ops.revoke_feed(org.learner)
    db_session.commit()
    assert client.get(f"/calendar-feeds/{new}/one-to-ones.ics").status_code == 404


def test_the_feed_never_carries_notes(client, org, db_session):
    series = make_series(org.line, org.learner)
    meeting = ops.materialise(series, series.anchor_date)
    ops.save_private_notes(meeting, org.line, "PRIVATE-MARKER", 0)
    ops.save_shared_notes(meeting, org.line, "SHARED-MARKER", 0)
    token = ops.new_feed_token(org.learner)
    db_session.commit()
    body = client.get(f"/calendar-feeds/{token}/one-to-ones.ics").get_data(as_text=True)
    assert "PRIVATE-MARKER" not in body and "SHARED-MARKER" not in body
    assert re.search(r"UID:" + re.escape(series.uid), body)


def test_a_deactivated_persons_feed_is_gone(client, org, db_session):
    from people import operations as people_ops

    make_series(org.line, org.learner)
    token = ops.new_feed_token(org.learner)
    db_session.commit()
    assert client.get(f"/calendar-feeds/{token}/one-to-ones.ics").status_code == 200
    people_ops.deactivate(org.learner)
    db_session.commit()
    assert client.get(f"/calendar-feeds/{token}/one-to-ones.ics").status_code == 404
