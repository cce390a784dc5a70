"""Working days (Monday to Friday) for escalation deadlines."""

from __future__ import annotations

import datetime as dt


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """``start`` moved forward by ``days`` working days, keeping the time of day.

    A start on a weekend counts from the next Monday.
    """
    current = start
    while current.weekday() >= 5:
        current = (current + dt.timedelta(days=1)).replace(hour=start.hour, minute=start.minute)
    added = 0
    while added < days:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current
