"""Enrolment writes: pull (self-enrolment from the catalogue), push (L&D assigns people, a
unit or every manager, set-based), leaving and removal. Flush, never commit; one audit event per
state change. ``checkpoints.operations`` re-exports everything here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import DateTime, Integer, String, exists, func, literal, select, update

from checkpoints import queries
from checkpoints.errors import CheckpointsError
from checkpoints.models import ENROLMENT_ENDED, Enrolment, Programme
from checkpoints.queries import AssignTarget
from clearance import audit
from clearance.database import utcnow
from clearance.extensions import db
from people.models import Person

# ---- enrolment: pull (self) ----


def _enrolment_snapshot(enrolment: Enrolment) -> dict[str, Any]:
    return {"person_id": enrolment.person_id, "programme_id": enrolment.programme_id,
            "source": enrolment.source, "status": enrolment.status}


def self_enrol(person: Person, programme: Programme) -> tuple[Enrolment, bool]:
    """Enrol ``person`` from the catalogue. Returns (enrolment, True when it is new or
    renewed); enrolling twice leaves the existing enrolment as it is."""
    if programme.status != "published" or not programme.open_in_catalogue:
        raise CheckpointsError("This programme is not open for enrolment.")
    if not programme.is_released(queries.today()):
        raise CheckpointsError("This programme is not released yet.")
    enrolment = queries.enrolment_for(person.id, programme.id)
    if enrolment is not None and enrolment.status not in ENROLMENT_ENDED:
        return enrolment, False
    if enrolment is None:
        enrolment = Enrolment(person_id=person.id, programme_id=programme.id, source="self",
                              status="active", enrolled_at=utcnow())
        db.session.add(enrolment)
    else:
        enrolment.source, enrolment.status = "self", "active"
        enrolment.enrolled_at, enrolment.left_at = utcnow(), None
        enrolment.assigned_by_id = None
    db.session.flush()
    audit.record("enrolment.self_enrolled", obj=enrolment, after=_enrolment_snapshot(enrolment))
    return enrolment, True


def may_leave(enrolment: Enrolment) -> bool:
    """Learners may leave an elective programme they chose themselves."""
    return (enrolment.status == "active" and enrolment.source == "self"
            and enrolment.programme.is_elective)


def leave(enrolment: Enrolment) -> None:
    if enrolment.status != "active":
        raise CheckpointsError("You are not enrolled in this programme.")
    if enrolment.source != "self":
        raise CheckpointsError("You were assigned this programme, so only Learning and "
                               "Development can remove you from it.")
    if not enrolment.programme.is_elective:
        raise CheckpointsError("This programme is mandatory, so you cannot leave it.")
    before = _enrolment_snapshot(enrolment)
    enrolment.status, enrolment.left_at = "left", utcnow()
    db.session.flush()
    audit.record("enrolment.left", obj=enrolment, before=before,
                 after=_enrolment_snapshot(enrolment))


# ---- enrolment: push (assigned by L&D) ----


@dataclass(frozen=True)
class AssignResult:
    targeted: int
    new: int
    renewed: int

    @property
    def already(self) -> int:
        return self.targeted - self.new - self.renewed

    @property
    def enrolled(self) -> int:
        return self.new + self.renewed


def _insert_for(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def assign(programme: Programme, target: AssignTarget, *, by: Person | None) -> AssignResult:
    """Enrol everyone ``target`` names as ``assigned``, set-based: one UPDATE renews ended
    enrolments and one INSERT ... SELECT adds the rest. People already enrolled keep their
    enrolment (and its source) as it is, so running it twice changes nothing."""
    if programme.status != "published":
        raise CheckpointsError("Publish the programme before assigning it.")
    if target.kind == "unit" and not target.unit:
        raise CheckpointsError("Choose a unit.", "unit")
    if target.kind == "people" and not target.person_ids:
        raise CheckpointsError("Name at least one person.", "people")
    targets = queries.assignment_targets(target)
    targeted = int(db.session.scalar(
        select(func.count()).select_from(targets.subquery())) or 0)
    now = utcnow()
    by_id = by.id if by else None
    table = Enrolment.__table__
    renewed = list(db.session.execute(
        update(table)
        .where(table.c.programme_id == programme.id, table.c.status.in_(ENROLMENT_ENDED),
               table.c.person_id.in_(targets))
        .values(status="active", source="assigned", assigned_by_id=by_id, enrolled_at=now,
                left_at=None)
        .returning(table.c.person_id)
    ).scalars())
    rows = (select(Person.id, literal(programme.id, Integer), literal("assigned", String),
                   literal("active", String), literal(now, DateTime(timezone=True)),
                   literal(by_id, Integer))
            .where(Person.id.in_(targets),
                   ~exists().where(table.c.person_id == Person.id,
                                   table.c.programme_id == programme.id)))
    insert = _insert_for(db.session.get_bind().dialect.name)
    added = list(db.session.execute(
        insert(table)
        .from_select(["person_id", "programme_id", "source", "status", "enrolled_at",
                      "assigned_by_id"], rows)
        .on_conflict_do_nothing(index_elements=["person_id", "programme_id"])
        .returning(table.c.person_id)
    ).scalars())
    _expire_loaded_enrolments(programme.id)
    result = AssignResult(targeted=targeted, new=len(added), renewed=len(renewed))
    if result.enrolled:
        audit.record("enrolment.assigned", obj=programme,
                     after={"target": target.describe(), "targeted": targeted,
                            "new_person_ids": sorted(added),
                            "renewed_person_ids": sorted(renewed)})
    return result


def _expire_loaded_enrolments(programme_id: int) -> None:
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Enrolment) and obj.programme_id == programme_id:
            db.session.expire(obj)


def remove_enrolment(enrolment: Enrolment, *, reason: str | None = None) -> None:
    """L&D takes someone off a programme (assigned or self-enrolled)."""
    if enrolment.status in ENROLMENT_ENDED:
        raise CheckpointsError("This person is no longer enrolled.")
    before = _enrolment_snapshot(enrolment)
    enrolment.status, enrolment.left_at = "removed", utcnow()
    db.session.flush()
    audit.record("enrolment.removed", obj=enrolment, before=before,
                 after=_enrolment_snapshot(enrolment), reason=reason)


def people_ids(people: Iterable[Person]) -> tuple[int, ...]:
    return tuple(sorted({p.id for p in people}))
