"""Hierarchy queries every domain uses: managers above, direct reports, everyone under."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, bindparam, func, literal, select
from sqlalchemy.orm import aliased, lazyload

from clearance.extensions import db
from people.models import Person

MAX_DEPTH = 64  # guard against a corrupt cycle in the adjacency list


def path_range(prefix: str) -> tuple[str, str]:
    """Bounds such that ``lo <= path < hi`` exactly when ``path`` starts with ``prefix``.

    ``prefix`` ends with '/', and '0' is the character right after '/'.
    """
    return prefix, prefix[:-1] + "0"


def _chain_statement() -> Any:
    start = (
        select(Person.manager_id.label("id"), literal(1).label("depth"))
        .where(Person.id == bindparam("person_id"))
        .cte("chain", recursive=True)
    )
    parent = aliased(Person)
    chain = start.union_all(
        select(parent.manager_id, start.c.depth + 1)
        .where(parent.id == start.c.id, start.c.depth < bindparam("max_depth"))
    )
    return (select(Person, chain.c.depth)
            .join(chain, Person.id == chain.c.id)
            .order_by(chain.c.depth)
            .options(lazyload(Person.role_rows)))  # routing reads names and ids; roles if asked


_CHAIN: list[Any] = []  # built once (aliasing per call costs more than the query itself)


def chain_above(person_id: int, *, max_depth: int = MAX_DEPTH) -> list[Person]:
    """Managers above ``person_id``, nearest first (recursive CTE with a depth guard)."""
    if not _CHAIN:
        _CHAIN.append(_chain_statement())
    rows = db.session.execute(_CHAIN[0], {"person_id": person_id, "max_depth": max_depth}).all()
    return [row[0] for row in rows]


def direct_reports(person_id: int, *, include_inactive: bool = False) -> list[Person]:
    stmt = select(Person).where(Person.manager_id == person_id)
    if not include_inactive:
        stmt = stmt.where(Person.active.is_(True))
    return list(db.session.scalars(stmt.order_by(Person.name)))


def everyone_under_stmt(
    manager: Person, *, include_inactive: bool = False
) -> Select[tuple[Person]]:
    """A select of everyone below ``manager`` (not the manager): an indexed range scan."""
    lo, hi = path_range(manager.path)
    stmt = select(Person).where(Person.path > lo, Person.path < hi)
    if not include_inactive:
        stmt = stmt.where(Person.active.is_(True))
    return stmt


def everyone_under(manager: Person, *, include_inactive: bool = False,
                   limit: int | None = None) -> list[Person]:
    stmt = everyone_under_stmt(manager, include_inactive=include_inactive).order_by(Person.path)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def count_under(manager: Person) -> int:
    lo, hi = path_range(manager.path)
    return int(db.session.scalar(
        select(func.count()).select_from(Person)
        .where(Person.path > lo, Person.path < hi, Person.active.is_(True))
    ) or 0)


def is_above(manager: Person, person: Person) -> bool:
    """True when ``manager`` is anywhere above ``person`` in the chart."""
    return manager.id != person.id and person.path.startswith(manager.path)
