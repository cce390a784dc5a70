"""Read-side queries for one-to-ones: series of a person, meetings (stored or computed from the
rule), the manager's week with item counts. Every list is one query, whatever its length."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import defaultload, joinedload

from approvals import queries as approval_queries
from approvals.models import ApprovalStep, Decision
from approvals.one_to_ones import schedule
from approvals.one_to_ones.models import (
    ActionItem,
    Carry,
    Meeting,
    Preferences,
    Series,
    TalkingPoint,
)
from clearance.database import as_utc, utcnow
from clearance.extensions import db
from people.models import Person
from portfolios.models import Submission

#: ended series still listed (and kept in calendar feeds) for this long
ENDED_VISIBLE_DAYS = 90


@cache
def _lean_people(*paths: Any) -> tuple[Any, ...]:
    """Loader options: people reached through ``paths`` leave their roles unloaded (one query
    fewer per list; only the signed-in person's roles are ever asked for). Built once."""
    return tuple(defaultload(*path).lazyload(Person.role_rows) for path in paths)


SERIES_PEOPLE = ((Series.manager,), (Series.report,))
MEETING_PEOPLE = ((Meeting.series, Series.manager), (Meeting.series, Series.report))


def _meetings() -> Any:
    return select(Meeting).options(*_lean_people(*MEETING_PEOPLE))


def get_series(series_id: int) -> Series | None:
    return db.session.get(Series, series_id, options=_lean_people(*SERIES_PEOPLE))


def series_of(person_id: int, *, include_ended: bool = False) -> list[Series]:
    """Series where ``person_id`` is manager or report; open ones, and with ``include_ended``
    those that ended in the last 90 days too."""
    stmt = select(Series).where(or_(Series.manager_id == person_id,
                                    Series.report_id == person_id))
    if include_ended:
        cutoff = (utcnow() - dt.timedelta(days=ENDED_VISIBLE_DAYS)).date()
        stmt = stmt.where(or_(Series.status != "ended", Series.ended_on >= cutoff))
    else:
        stmt = stmt.where(Series.status != "ended")
    return list(db.session.scalars(stmt.options(*_lean_people(*SERIES_PEOPLE))
                                   .order_by(Series.weekday, Series.start_time,
                                             Series.id)).unique())


def meeting_for(series: Series, day: dt.date) -> Meeting | None:
    """The stored meeting for ``day``, or an unsaved one computed from the rule; None when the
    series does not meet that day."""
    found = db.session.scalar(_meetings().where(Meeting.series_id == series.id,
                                                Meeting.occurs_on == day))
    if found is not None:
        return found
    if not schedule.is_occurrence(series, day):
        return None
    return virtual_meeting(series, day)


def virtual_meeting(series: Series, day: dt.date) -> Meeting:
    meeting = Meeting(series_id=series.id, occurs_on=day,
                      starts_at=schedule.utc_start(series, day),
                      duration_minutes=series.duration_minutes, status="upcoming",
                      shared_notes="", notes_version=0, cancelled_reason="")
    # Not added to the session: it exists only for this page until something is written.
    meeting.__dict__["series"] = series
    return meeting


def meetings_between(series_ids: list[int], start: dt.date, end: dt.date
                     ) -> dict[tuple[int, dt.date], Meeting]:
    if not series_ids:
        return {}
    rows = db.session.scalars(_meetings().where(
        Meeting.series_id.in_(series_ids), Meeting.occurs_on >= start, Meeting.occurs_on < end))
    return {(m.series_id, m.occurs_on): m for m in rows}


def timeline(series: Series, start: dt.date, end: dt.date) -> list[Meeting]:
    """Every meeting of ``series`` in [start, end): stored rows (held, cancelled, moved) and
    the rule's other dates as unsaved meetings, in date order."""
    stored = meetings_between([series.id], start, end)
    days = set(schedule.occurrences(series, start, end)) | {d for (_s, d) in stored}
    return [stored.get((series.id, d)) or virtual_meeting(series, d) for d in sorted(days)]


def history(series: Series, limit: int = 20) -> list[Meeting]:
    return list(db.session.scalars(
        _meetings().where(Meeting.series_id == series.id, Meeting.status != "upcoming")
        .order_by(Meeting.occurs_on.desc()).limit(limit)))


def last_held_before(series: Series, day: dt.date) -> Meeting | None:
    return db.session.scalar(
        _meetings().where(Meeting.series_id == series.id, Meeting.status == "held",
                          Meeting.occurs_on < day)
        .order_by(Meeting.occurs_on.desc()).limit(1))


def open_actions(series_ids: list[int]) -> list[ActionItem]:
    if not series_ids:
        return []
    return list(db.session.scalars(
        select(ActionItem).where(ActionItem.series_id.in_(series_ids),
                                 ActionItem.done_at.is_(None))
        .options(joinedload(ActionItem.meeting), *_lean_people(
            (ActionItem.owner,), *((ActionItem.meeting, *p) for p in MEETING_PEOPLE)))
        .order_by(ActionItem.created_at, ActionItem.id)).unique())


def talking_points(meeting: Meeting) -> list[TalkingPoint]:
    if meeting.id is None:
        return []
    return list(db.session.scalars(
        select(TalkingPoint).where(TalkingPoint.meeting_id == meeting.id)
        .options(*_lean_people((TalkingPoint.author,)))
        .order_by(TalkingPoint.created_at, TalkingPoint.id)).unique())


def carried_into(meeting: Meeting) -> dict[int, Meeting]:
    """step id -> the held meeting it was carried over from."""
    if meeting.id is None:
        return {}
    rows = db.session.execute(
        select(Carry.step_id, Meeting).join(Meeting, Meeting.id == Carry.from_meeting_id)
        .options(*_lean_people(*MEETING_PEOPLE))
        .where(Carry.meeting_id == meeting.id)).all()
    return dict(rows)


def decided_in(meeting: Meeting) -> list[Decision]:
    if meeting.id is None:
        return []
    return list(db.session.scalars(
        select(Decision).where(Decision.meeting_id == meeting.id)
        .options(joinedload(Decision.step).joinedload(ApprovalStep.submission)
                 .joinedload(Submission.checkpoint),
                 joinedload(Decision.decided_by).lazyload(Person.role_rows))
        .order_by(Decision.decided_at, Decision.id)).unique())


def pending_for(manager_id: int, report_id: int) -> list[ApprovalStep]:
    """Steps waiting for ``manager_id`` (as approver or acting for one) about ``report_id``."""
    for group in approval_queries.queue(manager_id):
        if group.learner.id == report_id:
            return group.steps
    return []


def preferences(person_id: int) -> Preferences | None:
    return db.session.get(Preferences, person_id)


def reminders_on(person_id: int) -> bool:
    prefs = preferences(person_id)
    return prefs is None or bool(prefs.reminders)


def person_for_feed(token_hash: str) -> Any:
    from people.models import Person

    return db.session.scalar(
        select(Person).join(Preferences, Preferences.person_id == Person.id)
        .where(Preferences.feed_token_hash == token_hash, Person.active.is_(True)))


# ---------------------------------------------------------------- the manager's week


@dataclass
class WeekEntry:
    series: Series
    meeting: Meeting
    pending: int = 0
    carried: int = 0
    points: int = 0
    actions: int = 0
    changes_requested: int = 0

    @property
    def items(self) -> int:
        return self.pending + self.points + self.actions


@dataclass
class Week:
    monday: dt.date
    entries: list[WeekEntry] = field(default_factory=list)

    @property
    def next_monday(self) -> dt.date:
        return self.monday + dt.timedelta(days=7)

    @property
    def previous_monday(self) -> dt.date:
        return self.monday - dt.timedelta(days=7)

    @property
    def total_items(self) -> int:
        return sum(e.items for e in self.entries)


def week(manager_id: int, monday: dt.date) -> Week:
    """This week's one-to-ones of ``manager_id`` (as manager) with what each one needs: a fixed
    number of queries for any number of reports and items."""
    end = monday + dt.timedelta(days=7)
    all_series = [s for s in series_of(manager_id) if s.manager_id == manager_id]
    stored = meetings_between([s.id for s in all_series], monday, end)
    out = Week(monday)
    for series in all_series:
        days = set(schedule.occurrences(series, monday, end))
        days |= {d for (sid, d) in stored if sid == series.id}
        for day in sorted(days):
            meeting = stored.get((series.id, day)) or virtual_meeting(series, day)
            out.entries.append(WeekEntry(series, meeting))
    if not out.entries:
        return out
    pending = Counter()
    for group in approval_queries.queue(manager_id):
        pending[group.learner.id] = len(group.steps)
    meeting_ids = [e.meeting.id for e in out.entries if e.meeting.id is not None]
    points = dict(db.session.execute(
        select(TalkingPoint.meeting_id, func.count()).where(
            TalkingPoint.meeting_id.in_(meeting_ids)).group_by(TalkingPoint.meeting_id)
    ).all()) if meeting_ids else {}
    carried = dict(db.session.execute(
        select(Carry.meeting_id, func.count()).where(Carry.meeting_id.in_(meeting_ids))
        .group_by(Carry.meeting_id)).all()) if meeting_ids else {}
    series_ids = [s.id for s in all_series]
    actions = dict(db.session.execute(
        select(ActionItem.series_id, func.count()).where(
            ActionItem.series_id.in_(series_ids), ActionItem.done_at.is_(None))
        .group_by(ActionItem.series_id)).all())
    report_ids = [s.report_id for s in all_series]
    changes = dict(db.session.execute(
        select(Submission.person_id, func.count()).where(
            Submission.person_id.in_(report_ids), Submission.state == "changes_requested")
        .group_by(Submission.person_id)).all())
    for entry in out.entries:
        mid = entry.meeting.id
        entry.points = points.get(mid, 0) if mid else 0
        entry.carried = carried.get(mid, 0) if mid else 0
        entry.actions = actions.get(entry.series.id, 0)
        entry.changes_requested = changes.get(entry.series.report_id, 0)
        # Decisions wait on the next meeting that has not happened yet, not on held ones.
        entry.pending = pending.get(entry.series.report_id, 0) \
            if entry.meeting.status == "upcoming" else 0
    out.entries.sort(key=lambda e: (as_utc(e.meeting.starts_at), e.series.report.name))
    return out


@dataclass
class Upcoming:
    series: Series
    meeting: Meeting


def upcoming_for(person_id: int, *, today: dt.date | None = None, limit: int = 10
                 ) -> list[Upcoming]:
    """The next meeting (today or later, not yet held) of each open series of ``person_id``."""
    out = []
    all_series = series_of(person_id)
    horizon = 7 * 3
    stored: dict[tuple[int, dt.date], Meeting] = {}
    if all_series:
        first = min(today or schedule.local_today(s, utcnow()) for s in all_series)
        stored = meetings_between([s.id for s in all_series], first,
                                  first + dt.timedelta(days=horizon))
    for series in all_series:
        local = today or schedule.local_today(series, utcnow())
        for day in schedule.occurrences(series, local, local + dt.timedelta(days=horizon)):
            meeting = stored.get((series.id, day)) or virtual_meeting(series, day)
            if meeting.status == "upcoming":
                out.append(Upcoming(series, meeting))
                break
    out.sort(key=lambda u: as_utc(u.meeting.starts_at))
    return out[:limit]
