"""The learning funnel: how many people reach each stage, from a first look to completion.

Stages, each counted as **distinct people**:

1. ``saw`` — looked at suggested learning, the catalogue or a programme: saw the
   suggested-learning widget or the catalogue, followed a suggestion or opened a programme's page
   (``engagement_event`` kinds widget_view, catalogue_view, suggestion_click, programme_view);
2. ``opened`` — opened an elective programme's page (programme_view, or a suggestion_click that
   led to a programme), so everyone in stage 2 is in stage 1;
3. ``enrolled`` — enrolled in a programme (``Enrolment.enrolled_at``);
4. ``submitted`` — made a first submission in that programme (a ``SubmissionVersion``);
5. ``approved`` — had a first submission approved in that programme (a version whose outcome
   is ``approved``, i.e. every approval level agreed);
6. ``completed`` — completed that programme (``Enrolment.completed_at``).

What "in the period" means (the page says the same in plain words):

* stages 1 and 2 count people with such a look on a day of the period;
* stage 3 counts people with an enrolment that started in the period: **the cohort**;
* stages 4 to 6 count people of the cohort who reached the stage, by the end of the period, in a
  programme they entered in the period. So stages 3 to 6 can only shrink; a submission in the
  period for a programme entered before it is not counted (it belongs to an earlier cohort).

Every rate is a share of people who are in the stage it divides by, so none is over 100%:

* "from the stage before" divides stage 2 by stage 1; for stage 3 it is the share of the people
  who opened a programme (stage 2) who are in the cohort (:attr:`Funnel.enrolled_after_opening`),
  because someone may enrol without a recorded look (a link in an e-mail, a look before the
  period): :attr:`Funnel.enrolled_without_look` says how many of the cohort had no look at all
  in the period; for stage 6 it is the share of stage 5 who completed (a programme of formative
  checkpoints only is completed without an approval: :attr:`Funnel.completed_without_approval`);
* "from the top" divides the looking stages by stage 1 and the cohort's stages by stage 3
  (the cohort is not a part of stage 1).

``source`` separates the two ways into a programme: ``elective`` (people who enrolled
themselves) and ``assigned`` (L&D enrolled them). Assigned people skip the looking stages: those
are ``None`` (not applicable) in the assigned funnel.

Filters: ``audience`` (None: everyone; ``managers``: people with at least one active direct
report *now*; ``non_managers``: everyone else), ``unit`` (the person's unit *now*) and
``programme_id`` (stage 1 is about no programme in particular, so it ignores this filter).

Every number comes from one SQL statement of scalar subqueries (grouped counts over indexed
columns), whatever the size of the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import distinct, exists, func, literal, not_, select

from checkpoints.models import Checkpoint, Enrolment, Programme
from clearance.extensions import db
from engagement.models import (
    CATALOGUE_VIEW,
    PROGRAMME_VIEW,
    SUGGESTION_CLICK,
    WIDGET_VIEW,
    EngagementEvent,
)
from engagement.periods import Period, custom
from people.models import Person
from portfolios.models import Submission, SubmissionVersion

SOURCES = {"elective": "Elective (people enrolled themselves)",
           "assigned": "Assigned (L&D enrolled them)"}
ENROLMENT_SOURCE = {"elective": "self", "assigned": "assigned"}
AUDIENCES = {"": "Everyone", "managers": "Managers (people with direct reports now)",
             "non_managers": "Everyone who is not a manager"}
SAW_KINDS = (WIDGET_VIEW, CATALOGUE_VIEW, SUGGESTION_CLICK, PROGRAMME_VIEW)
OPENED_KINDS = (PROGRAMME_VIEW, SUGGESTION_CLICK)

#: (key, label, who counts) in funnel order
STAGES: tuple[tuple[str, str, str], ...] = (
    ("saw", "Looked at suggested learning, the catalogue or a programme",
     "Saw the suggested-learning widget or the catalogue, followed a suggestion or opened a "
     "programme's page, in the period"),
    ("opened", "Opened a programme",
     "Opened an elective programme's page in the period"),
    ("enrolled", "Enrolled",
     "Enrolled in a programme in the period (the cohort); from the stage before: the share of "
     "the people who opened a programme who enrolled; from the top: this stage and the ones "
     "after it divide by it"),
    ("submitted", "First submission",
     "Of the cohort: submitted work in that programme by the end of the period"),
    ("approved", "First approval",
     "Of the cohort: had a submission in that programme approved by the end of the period"),
    ("completed", "Completed the programme",
     "Of the cohort: completed that programme by the end of the period; from the stage "
     "before: the share of the people with an approval who completed"),
)
LOOK_STAGES = ("saw", "opened")


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    #: distinct people; None when the stage does not apply (assigned people do not look)
    count: int | None
    #: percent of the people in the stage before (that applies) who are in this one (None for
    #: the first or when the stage before has no one); never over 100
    step_rate: float | None
    #: percent of the first stage that applies (the looking stages) or of "enrolled" (the
    #: cohort's stages: the cohort is not a part of the first stage); never over 100
    top_rate: float | None
    note: str


@dataclass(frozen=True)
class Funnel:
    start: dt.date
    end: dt.date
    source: str
    audience: str | None
    unit: str | None
    programme_id: int | None
    stages: list[Stage] = field(default_factory=list)
    #: people of the cohort with no recorded look in the period (elective funnel only)
    enrolled_without_look: int | None = None
    #: people of the cohort who opened a programme in the period, i.e. are in "opened" too
    #: (elective funnel only): "enrolled"'s step rate divides this by "opened"
    enrolled_after_opening: int | None = None
    #: people of the cohort who completed with no approval by the end of the period (a
    #: programme of formative checkpoints only): "completed"'s step rate leaves them out
    completed_without_approval: int = 0

    def stage(self, key: str) -> Stage:
        return next(s for s in self.stages if s.key == key)

    def counts(self) -> dict[str, int | None]:
        return {s.key: s.count for s in self.stages}


def _rate(part: int | None, whole: int | None) -> float | None:
    if part is None or not whole:
        return None
    return round(100.0 * part / whole, 1)


def people_filter(column: Any, audience: str | None, unit: str | None) -> list[Any]:
    """Conditions on a person id column for the audience and unit filters."""
    conds: list[Any] = []
    if unit:
        conds.append(column.in_(select(Person.id).where(Person.unit == unit)))
    if audience in ("managers", "non_managers"):
        report = Person.__table__.alias("report")
        managers = select(report.c.manager_id).where(report.c.active.is_(True),
                                                     report.c.manager_id.is_not(None))
        conds.append(column.in_(managers) if audience == "managers"
                     else not_(column.in_(managers)))
    elif audience:
        raise ValueError(f"unknown audience {audience!r}")
    return conds


def _looks(period: Period, kinds: tuple[str, ...], person_conds: list[Any],
           extra: list[Any] | None = None) -> Any:
    ev = EngagementEvent
    return [ev.kind.in_(kinds), ev.day >= period.first, ev.day <= period.last,
            ev.person_id.is_not(None), *person_conds, *(extra or [])]


def _count_people(column: Any, *where: Any, join: Any = None) -> Any:
    stmt = select(func.count(distinct(column)))
    if join is not None:
        stmt = stmt.select_from(join)
    return stmt.where(*where).scalar_subquery()


def _in_programme(enrolment: Any, *where: Any) -> Any:
    """EXISTS a submission version of the enrolment's person in the enrolment's programme."""
    return exists(
        select(literal(1))
        .select_from(SubmissionVersion)
        .join(Submission, Submission.id == SubmissionVersion.submission_id)
        .join(Checkpoint, Checkpoint.id == Submission.checkpoint_id)
        .where(Submission.person_id == enrolment.person_id,
               Checkpoint.programme_id == enrolment.programme_id, *where)
    )


def funnel(start: dt.date, end: dt.date, *, audience: str | None = None,
           unit: str | None = None, programme_id: int | None = None,
           source: str = "elective") -> Funnel:
    """The funnel for people who entered between ``start`` and ``end`` (both included, UTC
    dates); see the module docstring for what each stage counts. One SQL statement."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    audience = audience or None
    unit = unit or None
    period = custom(start, end)
    ev = EngagementEvent
    e = Enrolment.__table__.alias("cohort")
    cohort = [e.c.source == ENROLMENT_SOURCE[source], e.c.enrolled_at >= period.start,
              e.c.enrolled_at < period.end,
              *people_filter(e.c.person_id, audience, unit)]
    if programme_id is not None:
        cohort.append(e.c.programme_id == programme_id)
    ends = period.end
    approved = _in_programme(e.c, SubmissionVersion.outcome == "approved",
                             SubmissionVersion.outcome_at < ends,
                             SubmissionVersion.submitted_at < ends)
    completed = [e.c.completed_at.is_not(None), e.c.completed_at < ends]
    columns = [
        _count_people(e.c.person_id, *cohort).label("enrolled"),
        _count_people(e.c.person_id, *cohort,
                      _in_programme(e.c, SubmissionVersion.submitted_at < ends)
                      ).label("submitted"),
        _count_people(e.c.person_id, *cohort, approved).label("approved"),
        _count_people(e.c.person_id, *cohort, *completed).label("completed"),
        _count_people(e.c.person_id, *cohort, *completed, approved
                      ).label("completed_after_approval"),
    ]
    if source == "elective":
        person_conds = people_filter(ev.person_id, audience, unit)
        opened_extra = [ev.programme_id.is_not(None), Programme.kind == "elective"]
        if programme_id is not None:
            opened_extra.append(ev.programme_id == programme_id)
        looked = exists(select(literal(1)).select_from(ev).where(
            ev.person_id == e.c.person_id, ev.day >= period.first, ev.day <= period.last))
        opened_join = ev.__table__.join(Programme.__table__, Programme.id == ev.programme_id)
        # uncorrelated: the openers are listed once (a correlated EXISTS made SQLite walk the
        # period's looks again for every enrolment: seconds at 20,000 people)
        openers = select(ev.person_id).select_from(opened_join).where(
            *_looks(period, OPENED_KINDS, [], opened_extra))
        opened_look = e.c.person_id.in_(openers)
        columns += [
            _count_people(ev.person_id, *_looks(period, SAW_KINDS, person_conds)).label("saw"),
            _count_people(ev.person_id, *_looks(period, OPENED_KINDS, person_conds,
                                                opened_extra),
                          join=opened_join).label("opened"),
            _count_people(e.c.person_id, *cohort, not_(looked)).label("without_look"),
            _count_people(e.c.person_id, *cohort, opened_look).label("enrolled_after_opening"),
        ]
    row = db.session.execute(select(*columns)).mappings().one()
    counts: dict[str, int | None] = {key: row.get(key)
                                     for key, _label, _note in STAGES}
    # who of a stage is also in the stage before (the step rate's numerator), where a stage is
    # not a subset of the one before by construction
    in_before = {"enrolled": row.get("enrolled_after_opening"),
                 "completed": row["completed_after_approval"]}
    stages: list[Stage] = []
    top: int | None = None
    before: int | None = None
    for key, label, note in STAGES:
        count = counts[key]
        if count is not None and (top is None or key == "enrolled"):
            top = count  # the first stage that applies, then the cohort
        step = _rate(in_before.get(key, count), before) if before is not None else None
        stages.append(Stage(key, label, count, step, _rate(count, top), note))
        if count is not None:
            before = count
    return Funnel(start=start, end=end, source=source, audience=audience, unit=unit,
                  programme_id=programme_id, stages=stages,
                  enrolled_without_look=row.get("without_look"),
                  enrolled_after_opening=row.get("enrolled_after_opening"),
                  completed_without_approval=(row["completed"]
                                              - row["completed_after_approval"]))


def units() -> list[str]:
    """Every unit someone is in now (the unit filter's choices)."""
    return list(db.session.scalars(
        select(Person.unit).where(Person.unit != "").distinct().order_by(Person.unit)))


def programmes() -> list[tuple[int, str]]:
    """Published and archived programmes (the programme filter's choices)."""
    return [(r.id, r.title) for r in db.session.execute(
        select(Programme.id, Programme.title)
        .where(Programme.status.in_(("published", "archived")))
        .order_by(Programme.title))]


__all__ = ["AUDIENCES", "SOURCES", "STAGES", "Funnel", "Stage", "funnel",
           "people_filter", "programmes", "units"]
