"""Series and meetings for one-to-one tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from approvals.one_to_ones import operations as ops
from approvals.one_to_ones.models import Series


def make_series(manager: Any, report: Any, *, weekday: int | None = None,
                at: dt.time = dt.time(9, 0), tz: str = "Europe/London", interval: int = 1,
                start: dt.date | None = None, duration: int = 30) -> Series:
    """A series that has already started (its first meeting is last week) unless told."""
    today = dt.date.today()
    start = start or today - dt.timedelta(days=7)
    weekday = today.weekday() if weekday is None else weekday
    return ops.create_series(manager, report, ops.Schedule(weekday, at, tz, interval, duration),
                             start)


def this_weeks_day(series: Series) -> dt.date:
    from approvals.one_to_ones import schedule

    monday, sunday_next = schedule.week_of(dt.date.today())
    days = schedule.occurrences(series, monday, sunday_next)
    assert days, "the series has no meeting this week"
    return days[0]


def decide_now(step: Any, manager: Any, outcome: str = "approved", meeting_id: int | None = None
               ) -> Any:
    """Decide ``step`` through approvals.operations.decide with a full assessment."""
    from approvals import operations as approval_ops
    from rubrics import scoring
    from tests.approvals.factories import full_assessment

    version = approval_ops.rubric_version_of(step)
    assessment = scoring.Assessment.from_form(version, full_assessment(step))
    return approval_ops.decide(step, manager, approval_ops.DecisionInput(
        outcome, assessment, meeting_id=meeting_id), seen_lock=step.lock_version,
        seen_version_id=step.version_id)
