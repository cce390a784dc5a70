"""The series rule: dates, daylight saving, pauses and ends (pure, no database)."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from approvals.one_to_ones import schedule


def rule(**kw):
    base = {"weekday": 0, "start_time": dt.time(9), "timezone": "Europe/London",
            "interval_weeks": 1, "anchor_date": dt.date(2026, 3, 2), "paused_from": None,
            "ended_on": None}
    base.update(kw)
    return SimpleNamespace(**base)


def test_nine_oclock_london_stays_nine_local_across_the_spring_change():
    series = rule()
    before, after = dt.date(2026, 3, 23), dt.date(2026, 3, 30)  # BST starts 29 March 2026
    assert schedule.utc_start(series, before).hour == 9  # GMT
    assert schedule.utc_start(series, after).hour == 8  # BST = UTC+1
    assert schedule.local_start(series, after).hour == 9


def test_fortnightly_dates_and_exclusions():
    series = rule(interval_weeks=2)
    days = schedule.occurrences(series, dt.date(2026, 3, 1), dt.date(2026, 4, 30))
    assert days == [dt.date(2026, 3, 2), dt.date(2026, 3, 16), dt.date(2026, 3, 30),
                    dt.date(2026, 4, 13), dt.date(2026, 4, 27)]
    paused = rule(interval_weeks=2, paused_from=dt.date(2026, 3, 20))
    assert schedule.occurrences(paused, dt.date(2026, 3, 1), dt.date(2026, 4, 30)) == days[:2]
    assert schedule.next_occurrence(paused, dt.date(2026, 3, 16)) is None
    ended = rule(ended_on=dt.date(2026, 3, 9))
    assert schedule.next_occurrence(ended, dt.date(2026, 3, 2), inclusive=True) == \
        dt.date(2026, 3, 2)
    assert schedule.next_occurrence(ended, dt.date(2026, 3, 2)) is None


def test_timezone_names_are_checked():
    assert schedule.valid_timezone("Europe/London")
    assert schedule.valid_timezone("America/New_York")
    assert not schedule.valid_timezone("Mars/Olympus")
    assert not schedule.valid_timezone("../../etc/passwd")
    assert not schedule.valid_timezone("")


def test_previous_working_day():
    assert schedule.previous_working_day(dt.date(2026, 3, 2)) == dt.date(2026, 2, 27)  # Mon
    assert schedule.previous_working_day(dt.date(2026, 3, 3)) == dt.date(2026, 3, 2)


@given(weekday=st.integers(0, 6), interval=st.sampled_from([1, 2]),
       anchor=st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)),
       start=st.dates(dt.date(2019, 1, 1), dt.date(2031, 1, 1)),
       hour=st.integers(0, 23), tz=st.sampled_from(["Europe/London", "America/New_York",
                                                     "Australia/Sydney", "UTC"]))
def test_every_occurrence_is_on_the_rule_at_its_local_time(weekday, interval, anchor, start,
                                                           hour, tz):
    anchor = schedule.first_on_or_after(weekday, anchor)
    series = rule(weekday=weekday, interval_weeks=interval, anchor_date=anchor,
                  start_time=dt.time(hour, 30), timezone=tz)
    days = schedule.occurrences(series, start, start + dt.timedelta(days=70))
    for a, b in itertools.pairwise(days):
        assert (b - a).days == 7 * interval
    for day in days:
        assert day.weekday() == weekday and day >= anchor
        assert schedule.is_occurrence(series, day)
        local = schedule.utc_start(series, day).astimezone(schedule.zone(tz))
        # Wall-clock time is kept except inside a spring-forward gap, which moves it on.
        assert local.date() == day and (local.hour, local.minute) in ((hour, 30),
                                                                      ((hour + 1) % 24, 30))
    nxt = schedule.next_occurrence(series, start, inclusive=True)
    assert nxt == (days[0] if days else nxt)
