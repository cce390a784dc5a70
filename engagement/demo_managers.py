"""The managers of the demo year (see :mod:`engagement.demo`): who engages with elective learning
this year, and from when, so that the manager engagement KPI (:mod:`engagement.insights.kpi`)
tells seed 000's story: L&D are growing elective learning among managers towards the target
(20-25% by the end of the year, 22.5% by default). Seeded today, about a fifth of managers are
engaged (:data:`GOAL`, just under the target); the monthly trend rises every month, most of it
in the second half of the year; a few units are above the target and many have no one yet.

Earlier seeds already make some managers active this year, and their rows are what the browser
tests and the other demo pages rely on:

* Tom Williams and the managers in his team enrol themselves in ``checkpoints.demo`` and the
  portfolio demo plays their work: left exactly as they are;
* the ward sisters whose handovers the spot-check demo has decided submitted that work over the
  last six months, but were enrolled on the day the seed ran (after their own work). Their
  enrolments move back to a planned day before their first piece of work (they enrolled, and
  came to the checkpoint later), never after it: they count from the planned month.

If these are fewer than the goal, managers are added (from the units that already have engaged
managers first) who enrol themselves on planned days; the year plays their work like anyone's.
No manager's activity is ever made later than it was, and nobody is removed.

Last year (the months of it among the last twelve) a few other managers
(:data:`LAST_YEAR`) enrolled in a clinical elective and have done nothing since: last year's
figure is not empty, and they do not count this year.

The plan is the number of managers engaged by the end of each month of this year so far:
``engaged * (x/4 + 3x²/4)`` with ``x`` the share of the months so far, at least one more each
month (see :func:`curve`). Each month takes the people whose first activity falls in it anyway,
then the ones whose first activity is soonest.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from checkpoints.models import Checkpoint, Enrolment, Programme
from clearance.database import as_utc
from clearance.extensions import db
from engagement.insights.kpi import managers_now
from engagement.models import PROGRAMME_VIEW, SUGGESTION_CLICK, EngagementEvent
from portfolios.models import Submission, SubmissionVersion

#: managers engaged this year by the day the demo is seeded (the target is 22.5%)
GOAL = 0.2
#: managers who enrolled late last year (within the last twelve months) and not since
LAST_YEAR = 3
#: the first planned day of a month (a look on the programme's page a day or two before the
#: enrolment stays in the same month)
FIRST_DAY = 3


@dataclass
class ManagerPlan:
    """What :func:`plan` decided; the year applies it."""

    managers: int = 0
    #: managers added by the plan: (person id, the day they enrol themselves)
    added: list[tuple[int, dt.date]] = field(default_factory=list)
    #: managers who enrolled last year and did nothing since: (person id, the day)
    last_year: list[tuple[int, dt.date]] = field(default_factory=list)
    #: earlier seeds' enrolments moved back: enrolment id -> new ``enrolled_at``
    moved: dict[int, dt.datetime] = field(default_factory=dict)
    #: managers engaged by the end of each month of this year (the plan, cumulative)
    monthly: list[int] = field(default_factory=list)

    def engaged_before(self, on: dt.date) -> list[int]:
        """Added managers who had enrolled before ``on`` (they may take another programme)."""
        return sorted(pid for pid, day in self.added if day < on)


def curve(total: int, months: int) -> list[int]:
    """Managers engaged by the end of each month 1..``months``: ``total * (x/4 + 3x²/4)``
    with ``x = month / months``, at least one in the first month and one more each month
    while some are left, ``total`` at the end."""
    out: list[int] = []
    for m in range(1, months + 1):
        x = m / months
        value = max(round(total * (x / 4 + 3 * x * x / 4)), out[-1] + 1 if out else 1)
        out.append(min(value, total))
    if out:
        out[-1] = total
    return out


def _first_activity(people: set[int]) -> tuple[dict[int, dt.datetime],
                                                  dict[tuple[int, int], dt.datetime]]:
    """Each person's first elective activity ever (the KPI's three kinds) and their first
    submission per programme."""
    first: dict[int, dt.datetime] = {}

    def seen(pid: int, at: dt.datetime | None) -> None:
        at = as_utc(at)
        if at is not None and (pid not in first or at < first[pid]):
            first[pid] = at

    for pid, at in db.session.execute(
            select(Enrolment.person_id, Enrolment.enrolled_at)
            .join(Programme, Programme.id == Enrolment.programme_id)
            .where(Enrolment.source == "self", Programme.kind == "elective",
                   Enrolment.person_id.in_(people))):
        seen(pid, at)
    submitted: dict[tuple[int, int], dt.datetime] = {}
    for pid, programme_id, at in db.session.execute(
            select(Submission.person_id, Checkpoint.programme_id,
                   func.min(SubmissionVersion.submitted_at))
            .select_from(SubmissionVersion)
            .join(Submission, Submission.id == SubmissionVersion.submission_id)
            .join(Checkpoint, Checkpoint.id == Submission.checkpoint_id)
            .join(Programme, Programme.id == Checkpoint.programme_id)
            .where(Programme.kind == "elective", Submission.person_id.in_(people))
            .group_by(Submission.person_id, Checkpoint.programme_id)):
        submitted[(pid, programme_id)] = as_utc(at)
        seen(pid, at)
    for pid, day in db.session.execute(
            select(EngagementEvent.person_id, func.min(EngagementEvent.day))
            .join(Programme, Programme.id == EngagementEvent.programme_id)
            .where(EngagementEvent.kind.in_((PROGRAMME_VIEW, SUGGESTION_CLICK)),
                   Programme.kind == "elective", EngagementEvent.person_id.in_(people))
            .group_by(EngagementEvent.person_id)):
        seen(pid, dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC))
    return first, submitted


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(max(day, dt.date(1970, 1, 1)), dt.time(), tzinfo=dt.UTC)


def _day_in(month: int, year: int, earliest: dt.date, latest: dt.datetime,
            rng: random.Random) -> dt.datetime:
    """A planned moment in ``month`` of ``year`` (09:00-09:59 UTC), not before ``earliest``
    (the programme's release) and before ``latest``."""
    end = min(_month_end(year, month), latest.date())
    low = min(max(dt.date(year, month, FIRST_DAY), earliest), end)
    day = low + dt.timedelta(days=rng.randint(0, max(0, (end - low).days)))
    at = dt.datetime.combine(day, dt.time(9, rng.randint(0, 59)), tzinfo=dt.UTC)
    if at >= latest:
        at = (latest - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    return max(at, dt.datetime(year, 1, 1, tzinfo=dt.UTC))


def plan(year: Any) -> ManagerPlan:
    """Decide this year's engaged managers and their first days (nothing is written here).

    ``year`` is the :class:`engagement.demo.Year` being built: its clock (``now``), its people,
    ``left_alone`` (the people whose rows other seeds and the browser tests rely on) and
    ``learner_ok`` (who can be given work with a manager and a skip-level to decide it)."""
    rng = random.Random(5959)
    now = year.now
    jan1 = dt.datetime(now.year, 1, 1, tzinfo=dt.UTC)
    units = dict(db.session.execute(select(managers_now().subquery())).all())
    result = ManagerPlan(managers=len(units))
    if not units:
        return result
    first, submitted = _first_activity(set(units))
    enrolments: dict[int, list[Any]] = {}
    for row in db.session.execute(
            select(Enrolment.id, Enrolment.person_id, Enrolment.programme_id,
                   Enrolment.enrolled_at)
            .join(Programme, Programme.id == Enrolment.programme_id)
            .where(Enrolment.source == "self", Programme.kind == "elective",
                   Enrolment.person_id.in_(list(units)))
            .order_by(Enrolment.enrolled_at, Enrolment.id)):
        enrolments.setdefault(row.person_id, []).append(row)

    # this year's first activity of each engaged manager (as the KPI counts it)
    this_year = {pid: at for pid, at in first.items() if jan1 <= at <= now}
    for pid in set(units) - set(this_year):  # active last year and again this year
        later = [as_utc(e.enrolled_at) for e in enrolments.get(pid, ())] + \
            [at for (p, _prog), at in submitted.items() if p == pid]
        later = [at for at in later if jan1 <= at <= now]
        if later:
            this_year[pid] = min(later)
    movable = {pid: at for pid, at in this_year.items()
               if pid not in year.left_alone and first[pid] >= jan1 and enrolments.get(pid)}
    fixed = Counter(at.month for pid, at in this_year.items() if pid not in movable)
    released = {p.id: p.release_date or dt.date.min for p in year.programmes}
    # the enrolment each movable manager's plan moves: the one in the programme of their first
    # piece of work, or their first enrolment
    chosen = {pid: next((e for e in enrolments[pid] if submitted.get((pid, e.programme_id))
                         == movable[pid]), enrolments[pid][0]) for pid in movable}
    earliest = {pid: released.get(e.programme_id, dt.date.min) for pid, e in chosen.items()}

    # managers added to reach the goal: in units that already have engaged managers first
    wanted = max(0, round(GOAL * len(units)) - len(this_year))
    engaged_units = {units[pid] for pid in this_year}
    candidates = sorted(pid for pid in units if pid not in first and year.learner_ok(pid))
    rng.shuffle(candidates)
    candidates.sort(key=lambda pid: units[pid] not in engaged_units)
    latest_added = max(jan1 + dt.timedelta(hours=2), now - dt.timedelta(days=2))
    open_electives = [released[p.id] for p in year.programmes if p.kind == "elective"
                      and p.open_in_catalogue and year.checkpoints.get(p.id)]
    if not open_electives:
        candidates = []
    deadlines = dict(movable) | dict.fromkeys(candidates[:wanted], latest_added)
    earliest |= dict.fromkeys(candidates[:wanted], min(open_electives, default=dt.date.min))

    # fill the curve month by month: who must start this month, then who starts soonest
    months = now.month
    result.monthly = curve(len(this_year) + min(wanted, len(candidates)), months)
    waiting = sorted(deadlines, key=lambda pid: (deadlines[pid], pid))
    when: dict[int, dt.datetime] = {}
    engaged = 0
    for month, target in enumerate(result.monthly, start=1):
        engaged += fixed.get(month, 0)
        due = [pid for pid in waiting if deadlines[pid].month <= month]
        end = _month_end(now.year, month)
        extra = [pid for pid in waiting if pid not in due and earliest[pid] <= end]
        take = due + extra[:max(0, target - engaged - len(due))]
        for pid in take:
            when[pid] = _day_in(month, now.year, earliest[pid], deadlines[pid], rng)
            waiting.remove(pid)
        engaged += len(take)

    for pid, at in when.items():
        if pid not in movable:
            result.added.append((pid, at.date()))
            continue
        result.moved[chosen[pid].id] = at
        for e in enrolments[pid]:  # the others: still before the person's own work in them
            work = submitted.get((pid, e.programme_id))
            if e.id == chosen[pid].id or work is None or as_utc(e.enrolled_at) <= work:
                continue
            low = max(at, _midnight(released.get(e.programme_id, dt.date.min)))
            if low < work:
                moved = low + (work - low) * rng.uniform(0.2, 0.9)
                result.moved[e.id] = moved.replace(second=0, microsecond=0)
    result.added.sort(key=lambda item: (item[1], item[0]))
    result.last_year = _last_year(candidates[wanted:], now.date(), rng)
    return result


def _last_year(candidates: list[int], today: dt.date, rng: random.Random) -> list[
        tuple[int, dt.date]]:
    """:data:`LAST_YEAR` of ``candidates`` enrolled in the months of last year among the last
    twelve (the latest first), on a day from :data:`FIRST_DAY` to the 28th."""
    months = [dt.date(today.year - 1, m, 1) for m in range(today.month + 1, 13)]
    if not months or not candidates:
        return []
    picked = rng.sample(candidates, min(LAST_YEAR, len(candidates)))
    return sorted((pid, months[-1 - i % len(months)].replace(day=rng.randint(FIRST_DAY, 28)))
                  for i, pid in enumerate(picked))


__all__ = ["GOAL", "LAST_YEAR", "ManagerPlan", "curve", "plan"]
