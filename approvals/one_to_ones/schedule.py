"""The series rule as pure date arithmetic: which local dates a series meets on, and when that is
in UTC. Times are wall-clock times in the series' IANA zone, so a 09:00 Europe/London meeting is
at 09:00 local on both sides of a daylight-saving change (08:00 UTC in summer, 09:00 in winter).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def valid_timezone(name: str) -> bool:
    if not name or name != name.strip() or ("/" not in name and name != "UTC"):
        return False
    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    return tuple(sorted(n for n in available_timezones() if "/" in n
                        and not n.startswith(("Etc/", "SystemV/", "posix/", "right/"))))


def first_on_or_after(weekday: int, day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def local_start(series: Any, day: dt.date) -> dt.datetime:
    """The occurrence's start as an aware datetime in the series' zone."""
    return dt.datetime.combine(day, series.start_time, tzinfo=zone(series.timezone))


def utc_start(series: Any, day: dt.date) -> dt.datetime:
    return local_start(series, day).astimezone(dt.UTC)


def local_today(series: Any, now: dt.datetime) -> dt.date:
    return now.astimezone(zone(series.timezone)).date()


def _on_rule(series: Any, day: dt.date) -> bool:
    if day < series.anchor_date or day.weekday() != series.weekday:
        return False
    return (day - series.anchor_date).days % (7 * series.interval_weeks) == 0


def _excluded(series: Any, day: dt.date) -> bool:
    if series.ended_on is not None and day >= series.ended_on:
        return True
    return series.paused_from is not None and day >= series.paused_from


def is_occurrence(series: Any, day: dt.date) -> bool:
    return _on_rule(series, day) and not _excluded(series, day)


def rule_dates(series: Any, start: dt.date, end: dt.date) -> list[dt.date]:
    """Dates on the rule in [start, end), ignoring pauses and ends."""
    step = 7 * series.interval_weeks
    first = max(start, series.anchor_date)
    offset = (first - series.anchor_date).days % step
    day = first if offset == 0 else first + dt.timedelta(days=step - offset)
    out = []
    while day < end:
        out.append(day)
        day += dt.timedelta(days=step)
    return out


def occurrences(series: Any, start: dt.date, end: dt.date) -> list[dt.date]:
    """The series' meeting dates in [start, end)."""
    return [d for d in rule_dates(series, start, end) if not _excluded(series, d)]


def next_occurrence(series: Any, after: dt.date, *, inclusive: bool = False) -> dt.date | None:
    """The first meeting date after (or on, with ``inclusive``) ``after``; None if there is
    none (ended, or paused from before then: exclusions run to the end of time)."""
    start = max(after if inclusive else after + dt.timedelta(days=1), series.anchor_date)
    days = rule_dates(series, start, start + dt.timedelta(days=7 * series.interval_weeks))
    return days[0] if days and not _excluded(series, days[0]) else None


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and the following Monday of ``day``'s week."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=7)


def previous_working_day(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day
