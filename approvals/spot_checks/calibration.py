"""Calibration and coverage figures, grouped in the database.

Decisions, sampling, time to decision and feedback length come from ``spot_check_sampling``
(one narrow row per decision); checks and verdicts from ``spot_check``; the manager's and
L&D's levels from ``spot_check_score``. A page of groups costs a fixed number of statements
whatever the number of decisions: groups, checks, level pairs, medians.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, cast, func, literal, select
from sqlalchemy.sql import ColumnElement

from approvals.spot_checks import stats
from approvals.spot_checks.models import (
    ProgrammeSamplingRate,
    SpotCheck,
    SpotCheckSampling,
    SpotCheckScore,
)
from clearance.database import utcnow
from clearance.extensions import db
from people.models import Person

GROUPINGS = ("approver", "unit", "programme")


@dataclass(frozen=True)
class Period:
    start: dt.datetime
    end: dt.datetime
    label: str


def months_back(months: int, now: dt.datetime | None = None) -> Period:
    """From the first day of the month ``months - 1`` months ago to now."""
    now = now or utcnow()
    year, month = now.year, now.month - (months - 1)
    while month < 1:
        month += 12
        year -= 1
    start = dt.datetime(year, month, 1, tzinfo=dt.UTC)
    return Period(start, now + dt.timedelta(seconds=1), f"the last {months} months")


def quarter(label: str | None = None, now: dt.datetime | None = None) -> Period:
    """``2026-Q4`` (default: the current quarter)."""
    now = now or utcnow()
    year, q = now.year, (now.month - 1) // 3 + 1
    if label:
        try:
            y, qq = label.upper().split("-Q")
            year, q = int(y), int(qq)
        except ValueError:
            pass
    q = min(max(q, 1), 4)
    start = dt.datetime(year, 3 * (q - 1) + 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(year + (q == 4), (3 * q) % 12 + 1, 1, tzinfo=dt.UTC)
    return Period(start, end, f"{year}-Q{q}")


def quarters_around(now: dt.datetime | None = None, count: int = 6) -> list[str]:
    now = now or utcnow()
    year, q = now.year, (now.month - 1) // 3 + 1
    labels = []
    for _ in range(count):
        labels.append(f"{year}-Q{q}")
        q -= 1
        if q == 0:
            q, year = 4, year - 1
    return labels


def _month(column: Any) -> ColumnElement[str]:
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _key(table: Any, by: str) -> Any:
    return {"approver": table.approver_id, "unit": table.unit,
            "programme": table.programme_id}[by]


def base_rate() -> float:
    return float(current_app.config.get("SPOT_CHECK_RATE", 10)) / 100


# ---------------------------------------------------------------- the calibration table


@dataclass
class Row:
    key: Any
    label: str = ""
    detail: str = ""
    decisions: int = 0
    sampled: int = 0
    checked: int = 0
    agreed: int = 0
    median_hours: float | None = None
    mean_feedback: float | None = None
    pairs: dict[tuple[int, int], int] = field(default_factory=dict)
    categories: int = 0
    target: float = 0.0

    @property
    def agreement(self) -> float | None:
        return stats.agreement_rate(self.agreed, self.checked)

    @property
    def kappa(self) -> float | None:
        return stats.weighted_kappa(self.pairs, self.categories or None)

    @property
    def mean_difference(self) -> float | None:
        return stats.mean_difference(self.pairs)

    @property
    def leaning(self) -> str:
        return stats.leaning(self.mean_difference)

    @property
    def sampled_share(self) -> float | None:
        return self.sampled / self.decisions if self.decisions else None

    @property
    def checked_share(self) -> float | None:
        return self.checked / self.decisions if self.decisions else None

    @property
    def gap(self) -> bool:
        """Fewer decisions checked than the target rate asks for."""
        return bool(self.decisions) and (self.checked_share or 0) < self.target

    @property
    def unchecked(self) -> int:
        return self.sampled - self.checked


def _grouped(by: str, period: Period, unit: str = "", keys: list[Any] | None = None) -> Any:
    """decisions/sampled per group (sampling table) joined to checks per group."""
    s_key = _key(SpotCheckSampling, by)
    c_key = _key(SpotCheck, by)
    s_where = [SpotCheckSampling.decided_at >= period.start,
               SpotCheckSampling.decided_at < period.end]
    c_where = [SpotCheck.decided_at >= period.start, SpotCheck.decided_at < period.end]
    if unit:
        s_where.append(SpotCheckSampling.unit == unit)
        c_where.append(SpotCheck.unit == unit)
    if keys is not None:
        s_where.append(s_key.in_(keys))
        c_where.append(c_key.in_(keys))
    decisions = (select(s_key.label("key"), func.count().label("decisions"),
                        func.avg(SpotCheckSampling.feedback_chars).label("feedback"))
                 .where(*s_where).group_by(s_key).subquery())
    checks = (select(c_key.label("key"), func.count().label("sampled"),
                     func.sum(case((SpotCheck.verdict.is_not(None), 1), else_=0))
                     .label("checked"),
                     func.sum(case((SpotCheck.verdict == "agree", 1), else_=0)).label("agreed"))
              .where(*c_where).group_by(c_key).subquery())
    return decisions, checks


def table(by: str, period: Period, *, unit: str = "", page: int = 1, per_page: int = 25,
          order: str = "decisions", keys: list[Any] | None = None) -> tuple[list[Row], int]:
    """One page of groups (approvers, units or programmes) with every figure; ``keys``
    limits it to those groups."""
    decisions, checks = _grouped(by, period, unit, keys)
    checked = func.coalesce(checks.c.checked, 0)
    agreement = cast(func.coalesce(checks.c.agreed, 0), db.Float) / func.nullif(checked, 0)
    coverage = cast(checked, db.Float) / decisions.c.decisions
    ordering = {
        "decisions": [decisions.c.decisions.desc()],
        "agreement": [func.coalesce(agreement, 2.0), decisions.c.decisions.desc()],
        "coverage": [coverage, decisions.c.decisions.desc()],
    }.get(order, [decisions.c.decisions.desc()])
    total = db.session.scalar(select(func.count()).select_from(decisions)) or 0
    result = db.session.execute(
        select(decisions.c.key, decisions.c.decisions, decisions.c.feedback,
               func.coalesce(checks.c.sampled, 0), checked,
               func.coalesce(checks.c.agreed, 0))
        .select_from(decisions.outerjoin(checks, checks.c.key == decisions.c.key))
        .order_by(*ordering, decisions.c.key)
        .limit(per_page).offset(max(page - 1, 0) * per_page)).all()
    rows = [Row(key=k, decisions=int(n), mean_feedback=float(fb) if fb is not None else None,
                sampled=int(s), checked=int(c), agreed=int(a))
            for k, n, fb, s, c, a in result]
    _fill(rows, by, period, unit)
    return rows, int(total)


def _fill(rows: list[Row], by: str, period: Period, unit: str = "") -> None:
    """Labels, level pairs, medians and targets for ``rows`` (three or four statements)."""
    if not rows:
        return
    keys = [r.key for r in rows]
    by_key = {r.key: r for r in rows}
    c_key = _key(SpotCheck, by)
    in_period = [SpotCheck.decided_at >= period.start, SpotCheck.decided_at < period.end]
    if unit:
        in_period.append(SpotCheck.unit == unit)
    for key, a, b, size, n in db.session.execute(
        select(c_key, SpotCheckScore.manager_position, SpotCheckScore.ld_position,
               func.max(SpotCheckScore.scale_size), func.count())
        .join(SpotCheck, SpotCheck.id == SpotCheckScore.spot_check_id)
        .where(c_key.in_(keys), SpotCheckScore.manager_position.is_not(None), *in_period)
        .group_by(c_key, SpotCheckScore.manager_position, SpotCheckScore.ld_position)):
        row = by_key[key]
        row.pairs[(int(a), int(b))] = int(n)
        row.categories = max(row.categories, int(size))
    for key, value in medians(by, period, keys, unit):
        by_key[key].median_hours = value
    base = base_rate()
    for row in rows:
        row.target = base
    if by == "approver":
        for pid, name, job, person_unit in db.session.execute(
                select(Person.id, Person.name, Person.job_title, Person.unit)
                .where(Person.id.in_(keys))):
            by_key[pid].label, by_key[pid].detail = name, f"{job}, {person_unit}".strip(", ")
    elif by == "programme":
        from checkpoints.models import Programme

        rates = dict(db.session.execute(
            select(ProgrammeSamplingRate.programme_id, ProgrammeSamplingRate.rate)
            .where(ProgrammeSamplingRate.programme_id.in_(keys))).all())
        for pid, title in db.session.execute(
                select(Programme.id, Programme.title).where(Programme.id.in_(keys))):
            by_key[pid].label = title
            if pid in rates:
                by_key[pid].target = float(rates[pid])
        for row in rows:
            row.label = row.label or "No programme"
    else:
        for row in rows:
            row.label = row.key or "No unit"


def medians(by: str, period: Period, keys: list[Any], unit: str = ""
            ) -> list[tuple[Any, float]]:
    """Median hours to decision per group, in the database (window functions)."""
    key = _key(SpotCheckSampling, by)
    where = [SpotCheckSampling.decided_at >= period.start,
             SpotCheckSampling.decided_at < period.end,
             SpotCheckSampling.hours_to_decision.is_not(None)]
    if keys is not None:
        where.append(key.in_(keys))
    if unit:
        where.append(SpotCheckSampling.unit == unit)
    ranked = select(
        key.label("key"), SpotCheckSampling.hours_to_decision.label("hours"),
        func.row_number().over(partition_by=key,
                               order_by=SpotCheckSampling.hours_to_decision).label("rn"),
        func.count().over(partition_by=key).label("n"),
    ).where(*where).subquery()
    low = (ranked.c.n + 1) // 2
    high = (ranked.c.n + 2) // 2
    return [(k, float(v)) for k, v in db.session.execute(
        select(ranked.c.key, func.avg(ranked.c.hours))
        .where((ranked.c.rn == low) | (ranked.c.rn == high))
        .group_by(ranked.c.key))]


def overall(period: Period, unit: str = "") -> Row:
    """The same figures for everything in the period (one row)."""
    where_s = [SpotCheckSampling.decided_at >= period.start,
               SpotCheckSampling.decided_at < period.end]
    where_c = [SpotCheck.decided_at >= period.start, SpotCheck.decided_at < period.end]
    if unit:
        where_s.append(SpotCheckSampling.unit == unit)
        where_c.append(SpotCheck.unit == unit)
    n, feedback = db.session.execute(
        select(func.count(), func.avg(SpotCheckSampling.feedback_chars)).where(*where_s)).one()
    s, c, a = db.session.execute(
        select(func.count(), func.sum(case((SpotCheck.verdict.is_not(None), 1), else_=0)),
               func.sum(case((SpotCheck.verdict == "agree", 1), else_=0))).where(*where_c)).one()
    row = Row(key="all", label="Everyone", decisions=int(n or 0),
              mean_feedback=float(feedback) if feedback is not None else None,
              sampled=int(s or 0), checked=int(c or 0), agreed=int(a or 0), target=base_rate())
    for a_pos, b_pos, size, count in db.session.execute(
        select(SpotCheckScore.manager_position, SpotCheckScore.ld_position,
               func.max(SpotCheckScore.scale_size), func.count())
        .join(SpotCheck, SpotCheck.id == SpotCheckScore.spot_check_id)
        .where(SpotCheckScore.manager_position.is_not(None), *where_c)
        .group_by(SpotCheckScore.manager_position, SpotCheckScore.ld_position)):
        row.pairs[(int(a_pos), int(b_pos))] = int(count)
        row.categories = max(row.categories, int(size))
    return row


# ---------------------------------------------------------------- trends and criteria


@dataclass
class Month:
    month: str
    decisions: int = 0
    sampled: int = 0
    checked: int = 0
    agreed: int = 0
    difference: float | None = None

    @property
    def agreement(self) -> float | None:
        return stats.agreement_rate(self.agreed, self.checked)

    @property
    def label(self) -> str:
        return dt.datetime.strptime(self.month, "%Y-%m").strftime("%b %Y")


def trend(period: Period, *, unit: str = "", approver_id: int | None = None) -> list[Month]:
    """Figures per calendar month (UTC) of the decision, oldest first."""
    where_s = [SpotCheckSampling.decided_at >= period.start,
               SpotCheckSampling.decided_at < period.end]
    where_c = [SpotCheck.decided_at >= period.start, SpotCheck.decided_at < period.end]
    if unit:
        where_s.append(SpotCheckSampling.unit == unit)
        where_c.append(SpotCheck.unit == unit)
    if approver_id is not None:
        where_s.append(SpotCheckSampling.approver_id == approver_id)
        where_c.append(SpotCheck.approver_id == approver_id)
    months: dict[str, Month] = {}
    cursor = period.start
    while cursor < period.end:
        key = cursor.strftime("%Y-%m")
        months[key] = Month(key)
        cursor = (cursor.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    m_s = _month(SpotCheckSampling.decided_at)
    for month, n in db.session.execute(select(m_s, func.count()).where(*where_s).group_by(m_s)):
        months.setdefault(month, Month(month)).decisions = int(n)
    m_c = _month(SpotCheck.decided_at)
    for month, s, c, a in db.session.execute(
            select(m_c, func.count(),
                   func.sum(case((SpotCheck.verdict.is_not(None), 1), else_=0)),
                   func.sum(case((SpotCheck.verdict == "agree", 1), else_=0)))
            .where(*where_c).group_by(m_c)):
        entry = months.setdefault(month, Month(month))
        entry.sampled, entry.checked, entry.agreed = int(s), int(c or 0), int(a or 0)
    for month, diff in db.session.execute(
            select(m_c, func.avg(SpotCheckScore.manager_position - SpotCheckScore.ld_position))
            .join(SpotCheck, SpotCheck.id == SpotCheckScore.spot_check_id)
            .where(SpotCheckScore.manager_position.is_not(None), *where_c).group_by(m_c)):
        months.setdefault(month, Month(month)).difference = float(diff)
    return [months[k] for k in sorted(months)]


@dataclass
class CriterionRow:
    key: str
    title: str
    scored: int
    difference: float
    same: int

    @property
    def leaning(self) -> str:
        return stats.leaning(self.difference)

    @property
    def same_share(self) -> float:
        return self.same / self.scored if self.scored else 0.0


def by_criterion(period: Period, *, unit: str = "", approver_id: int | None = None,
                 limit: int = 30) -> list[CriterionRow]:
    """Mean level difference (manager minus L&D) per criterion, biggest first."""
    where = [SpotCheck.decided_at >= period.start, SpotCheck.decided_at < period.end,
             SpotCheckScore.manager_position.is_not(None)]
    if unit:
        where.append(SpotCheck.unit == unit)
    if approver_id is not None:
        where.append(SpotCheck.approver_id == approver_id)
    diff = func.avg(SpotCheckScore.manager_position - SpotCheckScore.ld_position)
    rows = db.session.execute(
        select(SpotCheckScore.criterion_key, func.max(SpotCheckScore.criterion_title),
               func.count(), diff,
               func.sum(case((SpotCheckScore.manager_position == SpotCheckScore.ld_position, 1),
                             else_=0)))
        .join(SpotCheck, SpotCheck.id == SpotCheckScore.spot_check_id)
        .where(*where).group_by(SpotCheckScore.criterion_key)
        .order_by(func.abs(diff).desc(), SpotCheckScore.criterion_key).limit(limit)).all()
    return [CriterionRow(k, t, int(n), float(d), int(s or 0)) for k, t, n, d, s in rows]


def units_with_decisions(period: Period) -> list[str]:
    return list(db.session.scalars(
        select(SpotCheckSampling.unit).where(and_(SpotCheckSampling.decided_at >= period.start,
                                                  SpotCheckSampling.decided_at < period.end),
                                             SpotCheckSampling.unit != literal(""))
        .distinct().order_by(SpotCheckSampling.unit)))
