"""The manager engagement KPI: the share of managers with any elective learning activity in a
year, against the ``MANAGER_ENGAGEMENT_TARGET`` setting (seed 000: 20 to 25% by year end).

Definitions (the page says the same in plain words):

* a **manager** is an active person with at least one active direct report *now* (when the
  figures are computed). Someone who became a manager mid-year counts, and so does all their
  activity that year, including before they had reports; someone who no longer has reports does
  not count, for any year;
* **elective learning activity** is any of: enrolling themselves in an elective programme
  (``Enrolment.source == "self"``, ``Programme.kind == "elective"``), submitting work in an
  elective programme (a ``SubmissionVersion``, however they were enrolled), or opening an
  elective programme's page (an ``engagement_event`` programme_view, or a suggestion_click that
  led to an elective programme);
* **in the year** means on a UTC date from 1 January up to 31 December, or up to ``today``
  for the current year. The monthly trend is cumulative: a manager counts from the month of
  their first activity of the year.

All figures come from one SQL statement: managers grouped by unit and the month of their first
activity (a union of the three kinds of activity, a minimum per person, a left join).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import case, func, literal, select, union_all

from checkpoints.models import Checkpoint, Enrolment, Programme
from clearance.extensions import db
from engagement.models import PROGRAMME_VIEW, SUGGESTION_CLICK, EngagementEvent
from engagement.periods import day_start
from engagement.periods import today as utc_today
from people.models import Person
from portfolios.models import Submission, SubmissionVersion

DEFAULT_TARGET = 22.5


class MonthPoint(NamedTuple):
    #: the first day of the month
    month: dt.date
    #: managers with activity this year by the end of the month (cumulative)
    engaged: int
    #: engaged as a percent of managers (0..100)
    share: float


class UnitRow(NamedTuple):
    unit: str
    managers: int
    engaged: int
    share: float
    #: share minus target, in percentage points (negative: below target)
    vs_target: float


@dataclass(frozen=True)
class ManagerEngagement:
    year: int
    #: the last day counted (31 December, or today for the current year)
    as_of: dt.date
    managers: int
    engaged: int
    share: float
    target: float
    #: one point per month that has started (all twelve for a past year)
    monthly: list[MonthPoint] = field(default_factory=list)
    #: sorted by share, highest first, then by unit name
    units: list[UnitRow] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return self.managers > 0 and self.share >= self.target


def target() -> float:
    """The target share in percent (setting ``MANAGER_ENGAGEMENT_TARGET``)."""
    return float(current_app.config.get("MANAGER_ENGAGEMENT_TARGET", DEFAULT_TARGET))


def _share(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def _month_of(column: Any, boundaries: list[Any]) -> Any:
    """The month number (1..12) of a value already known to fall in the year."""
    return case(*[(column < b, i + 1) for i, b in enumerate(boundaries)], else_=12)


def managers_now() -> Any:
    """Active people with at least one active direct report, now (id and unit)."""
    report = Person.__table__.alias("report")
    has_reports = select(report.c.manager_id).where(report.c.active.is_(True),
                                                    report.c.manager_id.is_not(None))
    return select(Person.id, Person.unit).where(Person.active.is_(True),
                                                Person.id.in_(has_reports))


def first_activity_months(year: int, until: dt.date, people: Any) -> Any:
    """(person_id, month of their first elective activity) for ``people`` (a subquery or CTE
    with an ``id`` column) between 1 January of ``year`` and ``until`` (included)."""
    first_day = dt.date(year, 1, 1)
    starts = [dt.date(year, m, 1) for m in range(2, 13)]
    begin, end_before = day_start(first_day), day_start(until + dt.timedelta(days=1))
    instants = [day_start(d) for d in starts]
    ev = EngagementEvent
    enrolled = (
        select(Enrolment.person_id.label("person_id"),
               _month_of(Enrolment.enrolled_at, instants).label("month"))
        .join(Programme, Programme.id == Enrolment.programme_id)
        .where(Enrolment.source == "self", Programme.kind == "elective",
               Enrolment.enrolled_at >= begin, Enrolment.enrolled_at < end_before,
               Enrolment.person_id.in_(select(people.c.id)))
    )
    submitted = (
        select(Submission.person_id.label("person_id"),
               _month_of(SubmissionVersion.submitted_at, instants).label("month"))
        .select_from(SubmissionVersion)
        .join(Submission, Submission.id == SubmissionVersion.submission_id)
        .join(Checkpoint, Checkpoint.id == Submission.checkpoint_id)
        .join(Programme, Programme.id == Checkpoint.programme_id)
        .where(Programme.kind == "elective", SubmissionVersion.submitted_at >= begin,
               SubmissionVersion.submitted_at < end_before,
               Submission.person_id.in_(select(people.c.id)))
    )
    opened = (
        select(ev.person_id.label("person_id"), _month_of(ev.day, starts).label("month"))
        .join(Programme, Programme.id == ev.programme_id)
        .where(ev.kind.in_((PROGRAMME_VIEW, SUGGESTION_CLICK)), Programme.kind == "elective",
               ev.day >= first_day, ev.day <= until, ev.person_id.in_(select(people.c.id)))
    )
    activity = union_all(enrolled, submitted, opened).subquery("activity")
    return (select(activity.c.person_id, func.min(activity.c.month).label("month"))
            .group_by(activity.c.person_id).subquery("first_activity"))


def manager_engagement(year: int, *, today: dt.date | None = None) -> ManagerEngagement:
    """The KPI for ``year`` as of ``today`` (default: today's UTC date). One SQL statement."""
    today = today or utc_today()
    goal = target()
    until = min(dt.date(year, 12, 31), today)
    if until < dt.date(year, 1, 1):  # a year that has not started: no activity yet
        until = dt.date(year, 1, 1) - dt.timedelta(days=1)
    # a CTE: read once (PostgreSQL materialises a CTE used more than once), not per branch
    managers = managers_now().cte("managers")
    first = first_activity_months(year, until, managers)
    rows = db.session.execute(
        select(managers.c.unit, first.c.month, func.count(literal(1)).label("n"))
        .select_from(managers.outerjoin(first, first.c.person_id == managers.c.id))
        .group_by(managers.c.unit, first.c.month)
    ).all()

    by_month = [0] * 13
    per_unit: dict[str, list[int]] = {}
    for unit, month, n in rows:
        counts = per_unit.setdefault(unit or "", [0, 0])
        counts[0] += n
        if month is not None:
            counts[1] += n
            by_month[int(month)] += n
    total = sum(c[0] for c in per_unit.values())
    engaged = sum(c[1] for c in per_unit.values())

    monthly: list[MonthPoint] = []
    running = 0
    last_month = until.month if until.year == year else 0
    for m in range(1, last_month + 1):
        running += by_month[m]
        monthly.append(MonthPoint(dt.date(year, m, 1), running, _share(running, total)))

    units = [UnitRow(unit, n, e, _share(e, n), _share(e, n) - goal)
             for unit, (n, e) in per_unit.items()]
    units.sort(key=lambda r: (-r.share, r.unit))
    return ManagerEngagement(year=year, as_of=until, managers=total, engaged=engaged,
                             share=_share(engaged, total), target=goal, monthly=monthly,
                             units=units)


__all__ = ["DEFAULT_TARGET", "ManagerEngagement", "MonthPoint", "UnitRow",
           "first_activity_months", "manager_engagement", "managers_now", "target"]
