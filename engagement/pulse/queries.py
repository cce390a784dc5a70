"""Pulse aggregates for L&D (public: :func:`aggregate`), and what the learner is offered.

Nothing here returns a single response, and no choice of programme and period, nor any
subtraction of one figure from another, isolates fewer than ``PULSE_MIN_RESPONSES`` (k)
answers. Every figure is a sum of whole *blocks* of at least k answers, the same blocks
whatever is asked:

* a block is the answers about one programme in one month (an answer keeps only its month);
* a programme-month with fewer than k answers is too small to stand alone: the small ones of a
  month are pooled ("the other programmes, that month") and the pool counts only towards the
  all-programmes figure; a pool under k counts nowhere;
* a programme's figure sums its blocks of at least k, all programmes sum those and the pools.

So "January to April" minus "January to March" is April's blocks (each k or more, or nothing),
"all programmes" minus the programmes shown is pools of k or more, and a programme chosen in
the filter shows exactly what its row in the list shows. A group with nothing to count is None
("not enough responses"). The period is whole months: ``start`` is read as the first day of its
month. Only months that have ended count: while a month is open its blocks grow one answer at a
time, and someone watching the figures after a learner's decision could read that learner's
answer in the change. This month's answers appear on the first of next month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Integer, case, func, select

from checkpoints.models import Programme
from clearance.database import utcnow
from clearance.extensions import db
from engagement.pulse.models import (
    ACTIVITIES,
    ACTIVITY_LABELS,
    SCALE,
    PulseAnswered,
    PulseResponse,
)


def min_responses() -> int:
    return int(current_app.config.get("PULSE_MIN_RESPONSES", 5))


@dataclass(frozen=True)
class ActivityShare:
    key: str
    label: str
    count: int
    #: percent of responses that chose it (several may be chosen, so they add up past 100)
    percent: float


@dataclass(frozen=True)
class ScaleSummary:
    mean: float
    #: (answer 1..5, how many gave it, percent of responses)
    distribution: tuple[tuple[int, int, float], ...]


@dataclass(frozen=True)
class PulseAggregate:
    responses: int
    activities: tuple[ActivityShare, ...]
    usefulness: ScaleSummary
    feedback_helped: ScaleSummary


@dataclass(frozen=True)
class ProgrammePulse:
    programme_id: int | None
    title: str
    #: None when the group is too small to show (its size is not shown either)
    aggregate: PulseAggregate | None


def _sum(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)


_R = PulseResponse


def _columns() -> tuple[Any, ...]:
    """count, then per activity how many chose it, then the two 1-5 distributions."""
    return (func.count(),
            *(_sum(getattr(_R, f"chose_{key}").is_(True)) for key in ACTIVITIES),
            *(_sum(_R.usefulness == k) for k in SCALE),
            *(_sum(_R.feedback_helped == k) for k in SCALE))


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _scale(counts: list[int], total: int) -> ScaleSummary:
    mean = sum(k * n for k, n in zip(SCALE, counts, strict=True)) / total if total else 0.0
    return ScaleSummary(round(mean, 2), tuple((k, n, _pct(n, total))
                                              for k, n in zip(SCALE, counts, strict=True)))


def _build(row: Any) -> PulseAggregate:
    values = [int(v or 0) for v in row]
    total = values[0]
    chosen = values[1:1 + len(ACTIVITIES)]
    useful = values[1 + len(ACTIVITIES):1 + len(ACTIVITIES) + len(SCALE)]
    helped = values[1 + len(ACTIVITIES) + len(SCALE):]
    return PulseAggregate(
        responses=total,
        activities=tuple(ActivityShare(key, ACTIVITY_LABELS[key], n, _pct(n, total))
                         for key, n in zip(ACTIVITIES, chosen, strict=True)),
        usefulness=_scale(useful, total), feedback_helped=_scale(helped, total))


def counted_until() -> dt.date:
    """The first day of the current month: answers from this month on do not count yet."""
    return utcnow().date().replace(day=1)


def _period(start: dt.date, end: dt.date) -> tuple[Any, ...]:
    """Months from ``start``'s to ``end``'s, ended months only (module docstring)."""
    return (_R.month >= start.replace(day=1), _R.month <= end, _R.month < counted_until())


@dataclass
class _Blocks:
    """The period's answers as blocks of at least k (see the module docstring): each
    programme's own blocks summed, and the month pools that count only towards the total."""

    #: programme id (None: a programme since removed) -> its title and summed column values
    programmes: dict[int | None, tuple[str, list[int]]]
    #: summed column values of every block of at least k, the pools included
    total: list[int]


def _add(into: list[int], values: Any) -> list[int]:
    return [a + int(b or 0) for a, b in zip(into, values, strict=True)]


def _blocks(start: dt.date, end: dt.date, *, programme_id: int | None = None) -> _Blocks:
    """One query: the period's answers counted per programme and month, then the blocks."""
    stmt = (select(_R.programme_id, Programme.title, _R.month, *_columns())
            .outerjoin(Programme, Programme.id == _R.programme_id)
            .where(*_period(start, end))
            .group_by(_R.programme_id, Programme.title, _R.month))
    if programme_id is not None:
        stmt = stmt.where(_R.programme_id == programme_id)
    minimum = min_responses()
    width = len(_columns())
    programmes: dict[int | None, tuple[str, list[int]]] = {}
    pools: dict[dt.date, list[int]] = {}
    for row in db.session.execute(stmt):
        pid, title, month, values = row[0], row[1] or "A programme since removed", row[2], row[3:]
        name, summed = programmes.setdefault(pid, (title, [0] * width))
        if int(values[0] or 0) >= minimum:
            programmes[pid] = (name, _add(summed, values))
        else:
            pools[month] = _add(pools.get(month, [0] * width), values)
    total = [0] * width
    for _name, summed in programmes.values():
        total = _add(total, summed)
    for pooled in pools.values():
        if pooled[0] >= minimum:
            total = _add(total, pooled)
    return _Blocks(programmes, total)


def aggregate(start: dt.date, end: dt.date, *, programme_id: int | None = None
              ) -> PulseAggregate | None:
    """Counts, the share choosing each activity, and the mean and distribution of the two 1-5
    answers, for responses given in the months from ``start`` to ``end`` (all programmes, or
    one), counting only blocks of at least ``PULSE_MIN_RESPONSES`` answers (module docstring).
    None when that leaves fewer than ``PULSE_MIN_RESPONSES``. One query."""
    if programme_id is None:
        values = _blocks(start, end).total
    else:
        found = _blocks(start, end, programme_id=programme_id).programmes.get(programme_id)
        values = found[1] if found is not None else [0] * len(_columns())
    if values[0] < min_responses():
        return None
    return _build(values)


def by_programme(start: dt.date, end: dt.date) -> list[ProgrammePulse]:
    """Every programme with responses in the period, sorted by title, in one query: each
    with its blocks of at least ``PULSE_MIN_RESPONSES`` answers (None when it has none; the
    same figure as :func:`aggregate` for that programme). No hidden programme can be worked
    out from the all-programmes figure: that adds only pools of at least the minimum."""
    minimum = min_responses()
    out = [ProgrammePulse(pid, title, _build(values) if values[0] >= minimum else None)
           for pid, (title, values) in _blocks(start, end).programmes.items()]
    return sorted(out, key=lambda p: (p.title.lower(), p.programme_id or 0))


def programmes_with_responses(start: dt.date, end: dt.date) -> list[tuple[int, str]]:
    """(id, title) of programmes with figures to show in the period, for the filter: only those
    with a block of at least ``PULSE_MIN_RESPONSES`` answers, so the list itself never says that
    somebody answered about a programme in a month where too few did. One query."""
    minimum = min_responses()
    shown = [(pid, title) for pid, (title, values) in _blocks(start, end).programmes.items()
             if pid is not None and values[0] >= minimum]
    return sorted(shown, key=lambda p: (p[1].lower(), p[0]))


# ---------------------------------------------------------------- the learner's side


def answered(decision_id: int) -> bool:
    return db.session.get(PulseAnswered, decision_id) is not None


def latest_decision(submission_id: int) -> Any:
    """The submission's most recent decision (the one the pulse is offered about)."""
    from approvals.models import Decision

    return db.session.scalar(select(Decision).where(Decision.submission_id == submission_id)
                             .order_by(Decision.decided_at.desc(), Decision.id.desc()).limit(1))
