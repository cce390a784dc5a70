"""Read-side queries for application checks: a manager's tasks, the wider team, one
submission's check, the 1:1 agenda and the roll-up by programme (public:
:func:`rates_by_programme`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from checkpoints.models import Programme
from clearance.database import utcnow
from clearance.extensions import db
from engagement.application.models import (
    NOT_YET,
    OVERDUE_AFTER_DAYS,
    PARTLY,
    YES,
    ApplicationCheck,
)
from people.models import Person


def _load() -> tuple[Any, ...]:
    return (joinedload(ApplicationCheck.learner), joinedload(ApplicationCheck.checkpoint),
            joinedload(ApplicationCheck.programme))


def _today(on: dt.date | None) -> dt.date:
    return on or utcnow().date()


def get(check_id: int) -> ApplicationCheck | None:
    return db.session.scalar(select(ApplicationCheck).where(ApplicationCheck.id == check_id)
                             .options(*_load(), joinedload(ApplicationCheck.answered_by)))


def _mine(manager_id: int) -> Any:
    """Checks of ``manager_id``'s active direct reports (the current line manager's)."""
    return (select(ApplicationCheck).join(Person, Person.id == ApplicationCheck.learner_id)
            .where(Person.manager_id == manager_id, Person.active.is_(True)))


def open_for(manager_id: int, on: dt.date | None = None) -> list[ApplicationCheck]:
    """Due and unanswered, oldest due first: the manager's tasks."""
    on = _today(on)
    return list(db.session.scalars(
        _mine(manager_id).where(ApplicationCheck.answered_at.is_(None),
                                ApplicationCheck.due_on <= on)
        .options(*_load()).order_by(ApplicationCheck.due_on, ApplicationCheck.id)).unique())


def open_count(manager_id: int, on: dt.date | None = None) -> int:
    on = _today(on)
    return int(db.session.scalar(
        select(func.count(ApplicationCheck.id))
        .join(Person, Person.id == ApplicationCheck.learner_id)
        .where(Person.manager_id == manager_id, Person.active.is_(True),
               ApplicationCheck.answered_at.is_(None), ApplicationCheck.due_on <= on)) or 0)


def coming_up_for(manager_id: int, on: dt.date | None = None, limit: int = 20
                  ) -> list[ApplicationCheck]:
    """Not due yet: what the manager will be asked about next."""
    on = _today(on)
    return list(db.session.scalars(
        _mine(manager_id).where(ApplicationCheck.answered_at.is_(None),
                                ApplicationCheck.due_on > on)
        .options(*_load()).order_by(ApplicationCheck.due_on, ApplicationCheck.id)
        .limit(limit)).unique())


def answered_by_or_for(manager_id: int, limit: int = 20) -> list[ApplicationCheck]:
    """Answered checks the manager gave, or of their current reports, latest first."""
    stmt = (select(ApplicationCheck).join(Person, Person.id == ApplicationCheck.learner_id)
            .where(ApplicationCheck.answered_at.is_not(None),
                   or_(ApplicationCheck.answered_by_id == manager_id,
                       Person.manager_id == manager_id))
            .options(*_load()).order_by(ApplicationCheck.answered_at.desc(),
                                      ApplicationCheck.id.desc()).limit(limit))
    return list(db.session.scalars(stmt).unique())


def wider_team(viewer: Any, page: int = 1, per_page: int = 25) -> Any:
    """Checks of people below the viewer's direct reports (skip-levels read them), due ones
    first: unanswered before answered, then by due date."""
    stmt = (select(ApplicationCheck).join(Person, Person.id == ApplicationCheck.learner_id)
            .where(Person.path.startswith(viewer.path), Person.id != viewer.id,
                   or_(Person.manager_id.is_(None), Person.manager_id != viewer.id),
                   ApplicationCheck.due_on <= _today(None))
            .options(*_load())
            .order_by(ApplicationCheck.answered_at.is_not(None), ApplicationCheck.due_on.desc(),
                      ApplicationCheck.id.desc()))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def of_submission(submission_id: int) -> ApplicationCheck | None:
    return db.session.scalar(
        select(ApplicationCheck).where(ApplicationCheck.submission_id == submission_id)
        .options(joinedload(ApplicationCheck.answered_by)))


def open_for_report(manager_id: int, report_id: int, on: dt.date | None = None
                    ) -> list[ApplicationCheck]:
    """One query: the report's due, unanswered checks while ``manager_id`` is their line
    manager (for the 1:1 agenda)."""
    on = _today(on)
    return list(db.session.scalars(
        _mine(manager_id).where(ApplicationCheck.learner_id == report_id,
                                ApplicationCheck.answered_at.is_(None),
                                ApplicationCheck.due_on <= on)
        .options(joinedload(ApplicationCheck.checkpoint))
        .order_by(ApplicationCheck.due_on, ApplicationCheck.id)).unique())


# ---------------------------------------------------------------- the roll-up


#: with fewer answered checks than this, a programme's rates say too little to compare: the
#: roll-up still shows them, greyed and marked in words
MIN_ANSWERS = 5


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class ProgrammeApplication:
    """Level-3 application for one programme over a period: the checks that came due in it.

    ``due`` = ``answered`` + ``pending`` + ``overdue``; ``pending`` are unanswered and less than
    ``OVERDUE_AFTER_DAYS`` (14) past due, ``overdue`` longer. Rates are percentages with one
    decimal (None when nothing to divide by): ``yes_rate``/``partly_rate``/``not_yet_rate``
    of the answered checks, ``applying_rate`` = yes + partly of the answered, ``response_rate``
    = answered of the due."""

    programme_id: int
    title: str
    due: int
    answered: int
    yes: int
    partly: int
    not_yet: int
    pending: int
    overdue: int
    yes_rate: float | None
    partly_rate: float | None
    not_yet_rate: float | None
    applying_rate: float | None
    response_rate: float | None

    @property
    def too_few(self) -> bool:
        """Fewer than ``MIN_ANSWERS`` answered checks: too few for the rates to mean much."""
        return self.answered < MIN_ANSWERS

    @property
    def too_few_note(self) -> str | None:
        """Said beside a programme with too few answers (None for the others)."""
        if not self.too_few:
            return None
        if not self.answered:
            return "No answers yet"
        return (f"Only {self.answered} answer{'' if self.answered == 1 else 's'}: "
                "too few to compare")

    @classmethod
    def of(cls, programme_id: int, title: str, due: int, answered: int, yes: int, partly: int,
           not_yet: int, overdue: int) -> ProgrammeApplication:
        return cls(programme_id=programme_id, title=title, due=due, answered=answered, yes=yes,
                   partly=partly, not_yet=not_yet, pending=due - answered - overdue,
                   overdue=overdue, yes_rate=_pct(yes, answered),
                   partly_rate=_pct(partly, answered), not_yet_rate=_pct(not_yet, answered),
                   applying_rate=_pct(yes + partly, answered),
                   response_rate=_pct(answered, due))


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)


def rates_by_programme(start: dt.date, end: dt.date, *, on: dt.date | None = None
                       ) -> list[ProgrammeApplication]:
    """Application checks that came due between ``start`` and ``end`` (inclusive, and never
    after today), by programme, sorted by title. Answers count whenever they were given. One
    query, whatever the number of programmes or checks."""
    on = _today(on)
    last = min(end, on)
    if last < start:
        return []
    c = ApplicationCheck
    answered = c.answered_at.is_not(None)
    overdue_before = on - dt.timedelta(days=OVERDUE_AFTER_DAYS)
    rows = db.session.execute(
        select(c.programme_id, Programme.title, func.count(c.id), _count(answered),
               _count(c.answer == YES), _count(c.answer == PARTLY), _count(c.answer == NOT_YET),
               _count(and_(c.answered_at.is_(None), c.due_on < overdue_before)))
        .join(Programme, Programme.id == c.programme_id)
        .where(c.due_on >= start, c.due_on <= last)
        .group_by(c.programme_id, Programme.title)
        .order_by(Programme.title, c.programme_id)).all()
    return [ProgrammeApplication.of(int(pid), title, int(due), int(ans), int(y), int(p), int(n),
                                    int(o))
            for pid, title, due, ans, y, p, n, o in rows]


def total(rows: list[ProgrammeApplication]) -> ProgrammeApplication | None:
    """All programmes together (None without rows)."""
    if not rows:
        return None
    return ProgrammeApplication.of(0, "All programmes", *(sum(getattr(r, k) for r in rows)
                                   for k in ("due", "answered", "yes", "partly", "not_yet",
                                             "overdue")))
