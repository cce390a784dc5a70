"""The figures results computes itself: approval turnaround, completion and L&D agreement.

Every figure is grouped in the database, so a page costs the same few statements whatever the
amount of activity: one each for turnaround (by level, and by level and month), completion and
agreement. Percentiles are ``percentile_cont`` on PostgreSQL (both groupings in one statement
with GROUPING SETS); SQLite has none, so there window functions rank the durations within each
group and only the (at most four) rows around the median and the 90th percentile come back,
which Python interpolates exactly as ``percentile_cont`` does (linear interpolation between the
two nearest ranks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, not_, or_, select, tuple_
from sqlalchemy.sql import ColumnElement

from approvals.models import Decision
from approvals.spot_checks.models import VERDICTS, SpotCheck
from checkpoints.models import ENROLMENT_ENDED, Enrolment, Programme
from clearance.extensions import db
from engagement.periods import Period, month_label, month_short
from portfolios.models import SubmissionVersion

LEVEL_LABELS = {1: "Level 1: line manager", 2: "Level 2: skip-level manager"}
SOURCE_LABELS = {"self": "Elective (chosen by the learner)", "assigned": "Assigned"}


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def month_of(column: Any) -> ColumnElement[str]:
    """'YYYY-MM' of a UTC timestamp column."""
    if _postgres():
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def days_between(later: Any, earlier: Any) -> ColumnElement[float]:
    """Days (with fractions) from ``earlier`` to ``later``."""
    if _postgres():
        return func.extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


def in_period(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


# ---------------------------------------------------------------- percentiles


@dataclass
class Spread:
    """Count, median and 90th percentile of a set of durations (days)."""

    count: int = 0
    median: float | None = None
    p90: float | None = None


def _rank(n: int, num: int, den: int) -> tuple[int, int, float]:
    """0-based ranks either side of the ``num/den`` quantile of ``n`` sorted values, and the
    weight of the upper one (percentile_cont's interpolation), in integers as the SQL does."""
    total = (n - 1) * num
    low, rest = divmod(total, den)
    return low, low + (rest != 0), rest / den


def _interpolate(values: dict[int, float], n: int, num: int, den: int) -> float:
    low, high, weight = _rank(n, num, den)
    return values[low] + (values[high] - values[low]) * weight if weight else values[low]


def _near(rank: Any, n: Any) -> Any:
    """SQL: ``rank`` (0-based) is one of the ranks the median and the p90 of ``n`` need."""
    n1 = n - 1
    return or_(rank == n1 // 2, rank == n1 // 2 + case((n1 % 2 != 0, 1), else_=0),
               rank == (n1 * 9) // 10,
               rank == (n1 * 9) // 10 + case(((n1 * 9) % 10 != 0, 1), else_=0))


Groups = dict[tuple[Any, ...], Spread]


def spreads(columns: list[Any], groupings: list[tuple[int, ...]], days: Any, where: list[Any],
            joins: Any) -> list[Groups]:
    """Count, median and p90 of ``days`` per group, for each grouping (a tuple of indexes into
    ``columns``), all in one statement: GROUPING SETS on PostgreSQL, one window per grouping on
    SQLite. Returns one ``{key values: Spread}`` per grouping."""
    found: list[Groups] = [{} for _ in groupings]
    k = len(columns)
    if _postgres():
        rows = db.session.execute(
            select(*columns, func.grouping(*columns), func.count(),
                   func.percentile_cont(0.5).within_group(days),
                   func.percentile_cont(0.9).within_group(days))
            .select_from(joins).where(*where)
            .group_by(func.grouping_sets(*[tuple_(*[columns[i] for i in g])
                                           for g in groupings]))).all()
        which = {frozenset(g): j for j, g in enumerate(groupings)}
        for row in rows:
            mask = int(row[k])  # GROUPING(): a bit per column, set when it is not grouped on
            j = which[frozenset(i for i in range(k) if not (mask >> (k - 1 - i)) & 1)]
            found[j][tuple(row[i] for i in groupings[j])] = Spread(
                int(row[k + 1]), float(row[k + 2]), float(row[k + 3]))
        return found
    base = select(*[c.label(f"k{i}") for i, c in enumerate(columns)], days.label("days")) \
        .select_from(joins).where(*where).subquery()  # each value computed once
    windows = []
    for j, g in enumerate(groupings):
        part = [base.c[f"k{i}"] for i in g]
        windows += [(func.row_number().over(partition_by=part, order_by=base.c.days) - 1)
                    .label(f"r{j}"), func.count().over(partition_by=part).label(f"n{j}")]
    ranked = select(*base.c, *windows).subquery()
    pairs = [(ranked.c[f"r{j}"], ranked.c[f"n{j}"]) for j in range(len(groupings))]
    values: list[dict[tuple[Any, ...], tuple[int, dict[int, float]]]] = [{} for _ in groupings]
    for row in db.session.execute(
            select(*[ranked.c[f"k{i}"] for i in range(k)], ranked.c.days,
                   *[c for pair in pairs for c in pair])
            .where(or_(*[_near(r, n) for r, n in pairs]))):
        for j, g in enumerate(groupings):
            rank, n = int(row[k + 1 + 2 * j]), int(row[k + 2 + 2 * j])
            if rank in {*_rank(n, 1, 2)[:2], *_rank(n, 9, 10)[:2]}:
                entry = values[j].setdefault(tuple(row[i] for i in g), (n, {}))
                entry[1][rank] = float(row[k])
    for j, groups in enumerate(values):
        for key, (n, ranks) in groups.items():
            found[j][key] = Spread(n, _interpolate(ranks, n, 1, 2), _interpolate(ranks, n, 9, 10))
    return found


# ---------------------------------------------------------------- approval turnaround


@dataclass
class LevelTurnaround:
    level: int
    spread: Spread

    @property
    def label(self) -> str:
        return LEVEL_LABELS.get(self.level, f"Level {self.level}")


@dataclass
class MonthTurnaround:
    month: str
    by_level: dict[int, Spread] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def short(self) -> str:
        return month_short(self.month)

    def median(self, level: int) -> float | None:
        spread = self.by_level.get(level)
        return spread.median if spread else None

    def count(self, level: int) -> int:
        spread = self.by_level.get(level)
        return spread.count if spread else 0


@dataclass
class Turnaround:
    levels: list[LevelTurnaround]
    months: list[MonthTurnaround]

    @property
    def decisions(self) -> int:
        return sum(level.spread.count for level in self.levels)


def turnaround(period: Period) -> Turnaround:
    """Days from submission (the version's submitted_at) to each decision made in the period,
    by level (level 2 counts from the same submission, so it includes level 1's time), and
    the median by calendar month of the decision."""
    days = days_between(Decision.decided_at, SubmissionVersion.submitted_at)
    joins = Decision.__table__.join(SubmissionVersion.__table__,
                                    SubmissionVersion.id == Decision.version_id)
    where = [in_period(Decision.decided_at, period)]
    by_level, by_month = spreads([Decision.level, month_of(Decision.decided_at)], [(0,), (1, 0)],
                                 days, where, joins)
    levels = [LevelTurnaround(level, by_level.get((level,), Spread()))
              for level in sorted({1, 2} | {k[0] for k in by_level})]
    months = {key: MonthTurnaround(key) for key in period.months()}
    for (key, level), spread in by_month.items():
        months.setdefault(key, MonthTurnaround(key)).by_level[level] = spread
    return Turnaround(levels, [months[k] for k in sorted(months)])


# ---------------------------------------------------------------- completion


@dataclass
class ProgrammeCompletion:
    programme_id: int
    title: str
    kind: str
    completed: dict[str, int] = field(default_factory=lambda: {"self": 0, "assigned": 0})
    active: dict[str, int] = field(default_factory=lambda: {"self": 0, "assigned": 0})

    @property
    def completed_total(self) -> int:
        return sum(self.completed.values())

    @property
    def active_total(self) -> int:
        return sum(self.active.values())

    @property
    def rate(self) -> float | None:
        """Completed in the period as a percentage of completed + still active at its end."""
        total = self.completed_total + self.active_total
        return 100.0 * self.completed_total / total if total else None


@dataclass
class Completion:
    programmes: list[ProgrammeCompletion]

    def total(self, what: str, source: str | None = None) -> int:
        return sum(getattr(p, what)[source] if source else sum(getattr(p, what).values())
                   for p in self.programmes)

    @property
    def rate(self) -> float | None:
        done, active = self.total("completed"), self.total("active")
        return 100.0 * done / (done + active) if done + active else None


def completion(period: Period) -> Completion:
    """Per programme and enrolment source (chosen vs assigned): enrolments completed in the
    period, and enrolments still active at its end (started before the end, neither completed
    nor left by then)."""
    e = Enrolment
    completed = in_period(e.completed_at, period)
    unknown_end = or_(and_(e.status == "completed", e.completed_at.is_(None)),
                      and_(e.status.in_(ENROLMENT_ENDED), e.left_at.is_(None)))
    active = and_(e.enrolled_at < period.end,
                  or_(e.completed_at.is_(None), e.completed_at >= period.end),
                  or_(e.left_at.is_(None), e.left_at >= period.end),
                  not_(unknown_end))
    rows = db.session.execute(
        select(Programme.id, Programme.title, Programme.kind, e.source,
               func.sum(case((completed, 1), else_=0)), func.sum(case((active, 1), else_=0)))
        .join(Programme, Programme.id == e.programme_id)
        .where(e.enrolled_at < period.end, or_(completed, active))
        .group_by(Programme.id, Programme.title, Programme.kind, e.source)
        .order_by(Programme.title, Programme.id)).all()
    found: dict[int, ProgrammeCompletion] = {}
    for pid, title, kind, source, done, still in rows:
        entry = found.setdefault(pid, ProgrammeCompletion(pid, title, kind))
        source = source if source in ("self", "assigned") else "assigned"
        entry.completed[source] += int(done or 0)
        entry.active[source] += int(still or 0)
    return Completion(list(found.values()))


# ---------------------------------------------------------------- L&D agreement


@dataclass
class MonthAgreement:
    month: str
    verdicts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VERDICTS, 0))

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def short(self) -> str:
        return month_short(self.month)

    @property
    def checked(self) -> int:
        return sum(self.verdicts.values())

    @property
    def rate(self) -> float | None:
        return 100.0 * self.verdicts["agree"] / self.checked if self.checked else None


@dataclass
class Agreement:
    months: list[MonthAgreement]

    @property
    def verdicts(self) -> dict[str, int]:
        totals = dict.fromkeys(VERDICTS, 0)
        for m in self.months:
            for verdict, n in m.verdicts.items():
                totals[verdict] += n
        return totals

    @property
    def checked(self) -> int:
        return sum(self.verdicts.values())

    @property
    def rate(self) -> float | None:
        """Share of done checks where L&D agreed with the decision (percent)."""
        return 100.0 * self.verdicts["agree"] / self.checked if self.checked else None


def agreement(period: Period) -> Agreement:
    """Spot-checks with a verdict, for decisions made in the period (as on the calibration
    page), by month of the decision and verdict."""
    month = month_of(SpotCheck.decided_at)
    months = {key: MonthAgreement(key) for key in period.months()}
    for key, verdict, n in db.session.execute(
            select(month, SpotCheck.verdict, func.count())
            .where(in_period(SpotCheck.decided_at, period), SpotCheck.status == "done",
                   SpotCheck.verdict.in_(VERDICTS))
            .group_by(month, SpotCheck.verdict)):
        months.setdefault(key, MonthAgreement(key)).verdicts[verdict] = int(n)
    return Agreement([months[k] for k in sorted(months)])

