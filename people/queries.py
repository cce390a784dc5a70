"""Read-side queries the people pages share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import aliased

from clearance.extensions import db
from people.models import Person, PersonRole, email_key


def units() -> list[str]:
    return list(db.session.scalars(
        select(Person.unit).distinct().where(Person.unit != "").order_by(Person.unit)
    ))


def people_filter(q: str | None, unit: str | None, role: str | None,
                  status: str | None) -> Select[Any]:
    stmt = select(Person)
    if q:
        term = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(Person.name.ilike(term), Person.email_key.like(term),
                              Person.employee_id.ilike(term)))
    if unit:
        stmt = stmt.where(Person.unit == unit)
    if role in ("ld", "admin"):
        stmt = stmt.where(exists().where(PersonRole.person_id == Person.id,
                                         PersonRole.role == role))
    elif role == "manager":
        report = aliased(Person)
        stmt = stmt.where(exists().where(report.manager_id == Person.id,
                                         report.active.is_(True)))
    if status == "inactive":
        stmt = stmt.where(Person.active.is_(False))
    elif status != "all":
        stmt = stmt.where(Person.active.is_(True))
    return stmt.order_by(Person.name, Person.id)


def find_by_reference(ref: str) -> Person | None:
    """A person by employee id or e-mail address (as typed in forms and CSV files)."""
    ref = ref.strip()
    if not ref:
        return None
    found = db.session.scalar(select(Person).where(Person.employee_id == ref))
    return found or db.session.scalar(select(Person).where(Person.email_key == email_key(ref)))


def report_counts(manager_ids: list[int]) -> dict[int, int]:
    """Active direct-report counts for many managers in one query."""
    from sqlalchemy import func

    if not manager_ids:
        return {}
    rows = db.session.execute(
        select(Person.manager_id, func.count()).where(
            Person.manager_id.in_(manager_ids), Person.active.is_(True)
        ).group_by(Person.manager_id)
    ).all()
    return dict(rows)
