"""Read-side queries for programmes, the catalogue and enrolments (other domains use these too).

``my_programmes(person)`` and ``due_date(enrolment, checkpoint)`` are what the learner's home and
portfolio build on. ``checkpoints_in_use(ids)`` asks every registered usage check (the portfolio
registers one for submissions) which checkpoints may no longer be removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from checkpoints.models import ENROLMENT_ENDED, Checkpoint, Enrolment, Programme
from clearance.database import as_utc, utcnow
from clearance.extensions import db
from people.models import Person
from rubrics.models import Rubric, RubricVersion

CATALOGUE_PAGE_SIZE = 20
RELEASED_FILTERS = {"": "Any time", "30": "In the last 30 days", "365": "In the last 12 months",
                    "upcoming": "Not released yet"}
#: statuses in which a programme still shows on its enrolled learners' pages
LEARNER_PROGRAMME_STATUSES = ("published", "archived")


def today() -> dt.date:
    """The date release dates are compared with (UTC)."""
    return utcnow().date()


def released_clause(on: dt.date | None = None) -> Any:
    on = on or today()
    return or_(Programme.release_date.is_(None), Programme.release_date <= on)


def is_staff(user: Any) -> bool:
    """L&D and administrators see every programme, released or not."""
    return bool(user.has_role("ld") or user.has_role("admin"))


# ---- the catalogue ----


def catalogue_stmt(viewer: Any, *, q: str | None = None, theme: str | None = None,
                   audience: str | None = None, released: str | None = None) -> Select[Any]:
    """Open, published programmes; learners see only released ones, L&D sees upcoming too."""
    now = today()
    stmt = select(Programme).where(Programme.status == "published",
                                   Programme.open_in_catalogue.is_(True))
    staff = is_staff(viewer)
    if not staff:
        stmt = stmt.where(released_clause(now))
    if q:
        term = f"%{q.strip()}%"
        stmt = stmt.where(or_(Programme.title.ilike(term), Programme.summary.ilike(term),
                              Programme.theme.ilike(term)))
    if theme:
        stmt = stmt.where(Programme.theme == theme)
    if audience:
        stmt = stmt.where(Programme.audience == audience)
    if released in ("30", "365"):
        since = now - dt.timedelta(days=int(released))
        stmt = stmt.where(and_(Programme.release_date >= since, Programme.release_date <= now))
    elif released == "upcoming" and staff:
        stmt = stmt.where(Programme.release_date > now)
    return stmt.order_by(Programme.release_date.desc().nulls_last(), Programme.title,
                         Programme.id)


def catalogue_themes(viewer: Any) -> list[str]:
    stmt = (select(Programme.theme).distinct()
            .where(Programme.status == "published", Programme.open_in_catalogue.is_(True),
                   Programme.theme != ""))
    if not is_staff(viewer):
        stmt = stmt.where(released_clause())
    return list(db.session.scalars(stmt.order_by(Programme.theme)))


#: other domains may curate the soft push: ``fn(person, limit) -> programmes`` (an empty list
#: leaves the choice to :func:`suggestions`); engagement.suggestions registers L&D's monthly picks
SUGGESTION_SOURCES: list[Callable[[Any, int], list[Programme]]] = []


def suggestions(person: Any, *, limit: int = 3) -> list[Programme]:
    """Newest released open electives for the person's audience that they have not joined:
    the catalogue's "soft push" on the home page (managers see the managers' series first).
    A registered source (L&D's curated suggestions) answers first when it has any."""
    for source in SUGGESTION_SOURCES:
        curated = source(person, limit)
        if curated:
            return curated
    audiences = ["everyone", "managers"] if person.is_manager else ["everyone"]
    joined = exists().where(Enrolment.programme_id == Programme.id,
                            Enrolment.person_id == person.id,
                            Enrolment.status.not_in(ENROLMENT_ENDED))
    stmt = (select(Programme)
            .where(Programme.status == "published", Programme.open_in_catalogue.is_(True),
                   Programme.kind == "elective", Programme.audience.in_(audiences),
                   released_clause(), ~joined)
            .order_by(case((Programme.audience == "managers", 0), else_=1),
                      Programme.release_date.desc().nulls_last(), Programme.id.desc())
            .limit(limit))
    return list(db.session.scalars(stmt))


# ---- enrolments ----


def enrolment_for(person_id: int, programme_id: int) -> Enrolment | None:
    return db.session.scalar(select(Enrolment).where(Enrolment.person_id == person_id,
                                                     Enrolment.programme_id == programme_id))


def active_enrolment(person_id: int, programme_id: int) -> Enrolment | None:
    enrolment = enrolment_for(person_id, programme_id)
    return enrolment if enrolment is not None and enrolment.status not in ENROLMENT_ENDED \
        else None


def enrolments_by_programme(person_id: int, programme_ids: Iterable[int]) -> dict[int, Enrolment]:
    """The person's current (not ended) enrolments among ``programme_ids``, in one query."""
    ids = list(programme_ids)
    if not ids:
        return {}
    rows = db.session.scalars(select(Enrolment).where(
        Enrolment.person_id == person_id, Enrolment.programme_id.in_(ids),
        Enrolment.status.not_in(ENROLMENT_ENDED)))
    return {e.programme_id: e for e in rows}


def my_programmes(person: Any) -> list[Enrolment]:
    """The person's current enrolments (active and completed), each with its programme and the
    programme's ordered checkpoints loaded; unreleased programmes last, then newest first."""
    stmt = (select(Enrolment)
            .join(Programme, Programme.id == Enrolment.programme_id)
            .where(Enrolment.person_id == person.id,
                   Enrolment.status.not_in(ENROLMENT_ENDED),
                   Programme.status.in_(LEARNER_PROGRAMME_STATUSES))
            .options(selectinload(Enrolment.programme).selectinload(Programme.checkpoints))
            .order_by(Enrolment.status, Enrolment.enrolled_at.desc(), Enrolment.id.desc()))
    return list(db.session.scalars(stmt))


def start_date(enrolment: Enrolment) -> dt.date:
    """When the learner's clock starts: the enrolment date, or the release date when someone
    was enrolled before the programme was released."""
    enrolled = as_utc(enrolment.enrolled_at)
    start = enrolled.date() if enrolled else today()
    release = enrolment.programme.release_date
    return max(start, release) if release else start


def due_date(enrolment: Enrolment, checkpoint: Checkpoint) -> dt.date | None:
    """The checkpoint's due date for this enrolment (None when the checkpoint has no offset)."""
    if checkpoint.due_offset_days is None:
        return None
    return start_date(enrolment) + dt.timedelta(days=checkpoint.due_offset_days)


def programme_enrolments_stmt(programme: Programme, *, status: str | None = "current",
                              q: str | None = None) -> Select[Any]:
    stmt = (select(Enrolment).join(Person, Person.id == Enrolment.person_id)
            .where(Enrolment.programme_id == programme.id)
            .options(joinedload(Enrolment.person)))
    if status == "current":
        stmt = stmt.where(Enrolment.status.not_in(ENROLMENT_ENDED))
    elif status:
        stmt = stmt.where(Enrolment.status == status)
    if q:
        stmt = stmt.where(Person.name.ilike(f"%{q.strip()}%"))
    return stmt.order_by(Person.name, Person.id)


def enrolment_counts(programme_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Current enrolments per programme split by source, in one grouped query."""
    ids = list(programme_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Enrolment.programme_id, Enrolment.source, func.count())
        .where(Enrolment.programme_id.in_(ids), Enrolment.status.not_in(ENROLMENT_ENDED))
        .group_by(Enrolment.programme_id, Enrolment.source)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for pid, source, n in rows:
        counts.setdefault(pid, {"assigned": 0, "self": 0})[source] = n
    return counts


def checkpoint_counts(programme_ids: Iterable[int]) -> dict[int, int]:
    ids = list(programme_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Checkpoint.programme_id, func.count()).where(Checkpoint.programme_id.in_(ids))
        .group_by(Checkpoint.programme_id)
    ).all())


# ---- push enrolment (L&D assigns people, a unit, or every manager) ----


@dataclass(frozen=True)
class AssignTarget:
    """Who an assignment reaches: ``kind`` is "people", "unit" or "managers"."""

    kind: str
    person_ids: tuple[int, ...] = ()
    unit: str = ""

    def describe(self) -> dict[str, Any]:
        if self.kind == "people":
            return {"kind": "people", "count": len(self.person_ids)}
        if self.kind == "unit":
            return {"kind": "unit", "unit": self.unit}
        return {"kind": "managers"}


def assignment_targets(target: AssignTarget) -> Select[Any]:
    """A select of the ids of the active people ``target`` names (one set-based query)."""
    stmt = select(Person.id).where(Person.active.is_(True))
    if target.kind == "people":
        return stmt.where(Person.id.in_(list(target.person_ids) or [-1]))
    if target.kind == "unit":
        return stmt.where(Person.unit == target.unit)
    if target.kind == "managers":
        report = aliased(Person)
        return stmt.where(exists().where(report.manager_id == Person.id,
                                         report.active.is_(True)))
    raise ValueError(f"unknown assignment target {target.kind!r}")


@dataclass(frozen=True)
class AssignmentPreview:
    total: int
    already: int

    @property
    def new(self) -> int:
        return self.total - self.already


def assignment_preview(programme: Programme, target: AssignTarget) -> AssignmentPreview:
    """How many people the target names, and how many of them are enrolled already."""
    ids = assignment_targets(target).subquery()
    total = db.session.scalar(select(func.count()).select_from(ids)) or 0
    already = db.session.scalar(
        select(func.count()).select_from(Enrolment)
        .where(Enrolment.programme_id == programme.id,
               Enrolment.status.not_in(ENROLMENT_ENDED),
               Enrolment.person_id.in_(select(ids.c.id)))
    ) or 0
    return AssignmentPreview(total=int(total), already=int(already))


def managers_count() -> int:
    return int(db.session.scalar(
        select(func.count()).select_from(assignment_targets(AssignTarget("managers")).subquery())
    ) or 0)


def people_by_reference(refs: Iterable[str]) -> tuple[list[Person], list[str]]:
    """People named by employee id or e-mail address, in one query; also the unknown refs."""
    wanted = [r.strip() for r in refs if r.strip()]
    if not wanted:
        return [], []
    keys = [r.lower() for r in wanted]
    found = list(db.session.scalars(select(Person).where(
        or_(Person.employee_id.in_(wanted), Person.email_key.in_(keys)))))
    known = {p.employee_id for p in found} | {p.email_key for p in found}
    missing = [r for r in wanted if r not in known and r.lower() not in known]
    return found, missing


# ---- authoring ----


def programmes_stmt(status: str | None = None, q: str | None = None) -> Select[Any]:
    stmt = select(Programme)
    if status:
        stmt = stmt.where(Programme.status == status)
    if q:
        stmt = stmt.where(Programme.title.ilike(f"%{q.strip()}%"))
    return stmt.order_by(Programme.release_date.desc().nulls_last(), Programme.title,
                         Programme.id)


def published_rubric_versions() -> list[RubricVersion]:
    """Versions a checkpoint may pin: published versions of rubrics that are not archived."""
    return list(db.session.scalars(
        select(RubricVersion).join(Rubric, Rubric.id == RubricVersion.rubric_id)
        .where(RubricVersion.status == "published", Rubric.status != "archived")
        .options(joinedload(RubricVersion.rubric))
        .order_by(Rubric.title, RubricVersion.number.desc())
    ))


def rubric_versions_by_id(ids: Iterable[int | None]) -> dict[int, RubricVersion]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {v.id: v for v in db.session.scalars(
        select(RubricVersion).where(RubricVersion.id.in_(wanted))
        .options(joinedload(RubricVersion.rubric)))}


# ---- "is this checkpoint in use?" (the portfolio registers a check for submissions) ----

UsageCheck = Callable[[list[int]], set[int]]


@dataclass
class _UsageChecks:
    checks: list[UsageCheck] = field(default_factory=list)


_USAGE = _UsageChecks()


def register_usage_check(check: UsageCheck) -> UsageCheck:
    """Register ``check(checkpoint_ids) -> ids that have work against them`` (e.g. submissions).
    A checkpoint any check names can no longer be removed from its programme."""
    if check not in _USAGE.checks:
        _USAGE.checks.append(check)
    return check


def checkpoints_in_use(checkpoint_ids: Iterable[int]) -> set[int]:
    ids = list(checkpoint_ids)
    used: set[int] = set()
    if not ids:
        return used
    for check in _USAGE.checks:
        used |= set(check(ids))
    return used


# ---- progress on "My programmes" (the portfolio registers the provider) ----


@dataclass(frozen=True)
class Progress:
    """How far a learner is through one enrolment's checkpoints."""

    done: int
    total: int
    label: str = ""

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


ProgressProvider = Callable[[Any, list[Enrolment]], dict[int, Progress]]
_PROGRESS: list[ProgressProvider] = []


def register_progress(provider: ProgressProvider) -> ProgressProvider:
    """Register ``provider(person, enrolments) -> {enrolment id: Progress}``, the one source
    of progress figures on the learner's programme list (the last registration wins)."""
    _PROGRESS[:] = [provider]
    return provider


def progress_for(person: Any, enrolments: list[Enrolment]) -> dict[int, Progress]:
    if not _PROGRESS or not enrolments:
        return {}
    return _PROGRESS[0](person, enrolments)
