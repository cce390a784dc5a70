"""Writes of the org import: apply a checked plan in bulk.

:func:`apply_plan` is the bulk counterpart of ``people.operations`` (create, update, move,
deactivate, reactivate) with the same results: paths and depths as ``move_subtree`` leaves them,
deactivation ends sessions, every change is in the audit trail, and the same signals go out. It
flushes and never commits; the caller (CLI command or job) owns the unit of work.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, text, update

from clearance import audit
from clearance.audit import PendingEvent
from clearance.database import utcnow
from clearance.extensions import db
from people import operations, signals
from people.importer import ImportPlan, ImportRefused, gc_paused
from people.models import Person, PersonRole

CHUNK = 5000
PER_PERSON_LIMIT = 2000  # above this, audit events name BATCH people each
BATCH = 1000
ANALYZE_AFTER = 1000  # rows written
Progress = Callable[[int, int, str], None]
_COLUMNS = ("name", "email", "email_key", "job_title", "unit", "manager_id", "path", "depth",
            "active", "session_version")


def lock_org_chart() -> None:
    """One org-chart writer at a time: an import waits for (and blocks) every other change to
    the chart, through the same lock as :mod:`people.operations`."""
    operations.lock_org_chart()


def _allocate_ids(count: int) -> list[int]:
    """Ids for new people before they are written, so paths can be built in Python."""
    if not count:
        return []
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        return list(session.scalars(
            text("SELECT nextval(pg_get_serial_sequence('person', 'id')) "
                 "FROM generate_series(1, :n)"), {"n": count}))
    # SQLite: the writer holds the database lock (BEGIN IMMEDIATE), so max(id) is stable.
    start = (session.scalar(select(func.max(Person.id))) or 0) + 1
    return list(range(start, start + count))


def _chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _layout(plan: ImportPlan, real: dict[int, int]) -> tuple[list[int], dict[int, str],
                                                             dict[int, int]]:
    """A parent-first order of everyone, with each person's path and depth."""
    children: dict[int | None, list[int]] = {}
    for key, parent in plan.parent.items():
        children.setdefault(parent if parent in plan.parent else None, []).append(key)
    order: list[int] = []
    path: dict[int, str] = {}
    depth: dict[int, int] = {}
    queue = deque(children.get(None, ()))
    for key in queue:
        path[key], depth[key] = f"/{real.get(key, key)}/", 0
    while queue:
        key = queue.popleft()
        order.append(key)
        for child in children.get(key, ()):
            path[child] = f"{path[key]}{real.get(child, child)}/"
            depth[child] = depth[key] + 1
            queue.append(child)
    return order, path, depth


def apply_plan(plan: ImportPlan, *, run_id: int | None = None, actor_id: int | None = None,
               acting_role: str = "system", progress: Progress | None = None) -> dict[str, int]:
    """Write ``plan`` (refused plans raise :class:`ImportRefused`); return the counts."""
    with gc_paused(), _big_sqlite_cache():
        return _apply(plan, run_id, actor_id, acting_role, progress)


@contextmanager
def _big_sqlite_cache(kib: int = 256 * 1024) -> Iterator[None]:
    """Let SQLite keep the indexes it is updating in memory instead of spilling pages to the
    write-ahead log many times over (the cache only grows as far as it is used)."""
    session = db.session
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    before = session.execute(text("PRAGMA cache_size")).scalar()
    session.execute(text(f"PRAGMA cache_size = -{int(kib)}"))
    try:
        yield
    finally:
        session.execute(text(f"PRAGMA cache_size = {int(before)}"))


def _apply(plan: ImportPlan, run_id: int | None, actor_id: int | None, acting_role: str,
           progress: Progress | None) -> dict[str, int]:
    if not plan.ok:
        raise ImportRefused(plan.problems)
    session = db.session
    session.flush()
    t = Person.__table__
    now = utcnow()
    new_keys = sorted((k for k in plan.target if k < 0), reverse=True)
    real = dict(zip(new_keys, _allocate_ids(len(new_keys)), strict=True))
    order, paths, depths = _layout(plan, real)

    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    staged: list[dict[str, Any]] = []
    for key in order:
        parent = plan.parent[key]
        manager_id = real.get(parent, parent) if parent is not None else None
        target = plan.target.get(key)
        if key < 0:
            assert target is not None
            inserts.append({
                "id": real[key], "employee_id": target["employee_id"], "name": target["name"],
                "email": target["email"], "email_key": target["email"].lower(),
                "job_title": target.get("job_title", ""), "unit": target.get("unit", ""),
                "manager_id": manager_id, "path": paths[key], "depth": depths[key],
                "active": True, "session_version": 1, "created_at": now, "updated_at": now,
            })
            continue
        old = plan.existing[key]
        if key not in plan.touched and old.active == (target is not None) \
                and old.manager_id == manager_id and old.path == paths[key] \
                and old.depth == depths[key]:
            continue  # the common case on a re-import: nothing to write
        new = {c: getattr(old, c) for c in _COLUMNS}
        if target is not None:
            new.update({f: v for f, v in target.items() if f != "employee_id"})
            new["email_key"] = new["email"].lower()
            new["active"] = True
        elif old.active:
            new["active"] = False
            new["session_version"] = (old.session_version or 1) + 1  # ends their sessions
        new.update(manager_id=manager_id, path=paths[key], depth=depths[key])
        if any(new[c] != getattr(old, c) for c in _COLUMNS):
            updates.append({"b_id": key, "b_updated_at": now,
                            **{f"b_{c}": new[c] for c in _COLUMNS}})
            if new["email_key"] != old.email_key:
                staged.append({"b_id": key, "b_email_key": f"#import:{key}"})

    role_adds, role_drops = [], []
    for key, roles in plan.roles.items():
        old_roles = plan.old_roles.get(key, frozenset()) if key > 0 else frozenset()
        pid = real.get(key, key)
        role_adds += [{"person_id": pid, "role": r} for r in sorted(roles - old_roles)]
        role_drops += [{"b_pid": pid, "b_role": r} for r in sorted(old_roles - roles)]

    events = _events(plan, real, run_id, actor_id, acting_role)
    total = len(inserts) + len(updates) + len(events)
    done = 0

    def step(count: int, phase: str) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, total, phase)

    step(0, "saving people")
    # E-mail addresses may move between people in the file: park the old ones first.
    if staged:
        session.execute(update(t).where(t.c.id == bindparam("b_id"))
                        .values(email_key=bindparam("b_email_key")), staged)
    for chunk in _chunks(inserts):
        session.execute(insert(t), chunk)
        step(len(chunk), "saving people")
    stmt = update(t).where(t.c.id == bindparam("b_id")).values(
        updated_at=bindparam("b_updated_at"), **{c: bindparam(f"b_{c}") for c in _COLUMNS})
    for chunk in _chunks(updates):
        session.execute(stmt, chunk)
        step(len(chunk), "saving people")
    r = PersonRole.__table__
    if role_drops:
        session.execute(delete(r).where(r.c.person_id == bindparam("b_pid"),
                                        r.c.role == bindparam("b_role")), role_drops)
    if role_adds:
        session.execute(insert(r), role_adds)
    if len(inserts) + len(updates) >= ANALYZE_AFTER:
        # Fresh statistics, so planners use the path index for "everyone under" (without them
        # SQLite prefers the index on the two-valued ``active`` column and sorts).
        session.execute(text("ANALYZE person"))
    for chunk in _chunks(events):
        audit.record_many(chunk)
        step(len(chunk), "writing the audit trail")
    session.expire_all()  # loaded people may hold stale paths, fields or roles

    changes = [signals.ManagerChange(key, old, new) for key, old, new in _moves(plan, real)]
    if changes:
        signals.manager_changed.send(None, changes=changes)
    gone = [key for key, old in plan.existing.items()
            if key not in plan.target and old.active]
    if gone:
        signals.people_deactivated.send(None, person_ids=gone)
    return {**plan.counts(), "written": len(inserts) + len(updates), "total": total}


def _moves(plan: ImportPlan, real: dict[int, int]) -> list[tuple[int, int | None, int | None]]:
    """(person id, old manager id, new manager id) for each manager change."""
    if not plan.manager_changes:
        return []
    by_emp = {v["employee_id"]: k for k, v in plan.target.items()}
    moves = []
    for e in plan.manager_changes:
        new = e.after["manager_id"]
        moves.append((by_emp[e.employee_id], e.before["manager_id"],
                      real.get(new, new) if new is not None else None))
    return moves


def _events(plan: ImportPlan, real: dict[int, int], run_id: int | None, actor_id: int | None,
            acting_role: str) -> list[PendingEvent]:
    """The summary, then one event per person changed (``person.created``, ...). A kind with
    more than PER_PERSON_LIMIT people (a first load, a re-organisation) is recorded as
    ``people.created`` (...) events naming BATCH people each: writing 100,000 separate rows
    would cost more than the import itself."""
    reason = f"org import of {plan.filename}" + (f" (run {run_id})" if run_id else "")

    def event(action: str, object_id: Any, before: Any = None, after: Any = None,
              object_type: str = "person") -> PendingEvent:
        return PendingEvent(action=action, object_type=object_type, object_id=object_id,
                            before=before, after=after, reason=reason, actor_id=actor_id,
                            acting_role=acting_role, use_default_actor=False)

    events = [event("people.imported", run_id, object_type="import_run",
                    after={"filename": plan.filename, "sha256": plan.sha256,
                           **plan.counts()})]
    if not plan.has_changes:
        return events
    by_emp = {v["employee_id"]: k for k, v in plan.target.items()}
    emp_to_id = {old.employee_id: key for key, old in plan.existing.items()}

    def person_id(employee_id: str) -> int:
        key = by_emp.get(employee_id)
        return emp_to_id[employee_id] if key is None else real.get(key, key)

    kinds: list[tuple[str, list[tuple[int, Any, Any]]]] = [
        ("created", [(person_id(e.employee_id), None, {
            **e.after, "active": True,
            "manager_id": person_id(e.new_manager) if e.new_manager else None})
            for e in plan.added]),
        ("updated", [(person_id(e.employee_id), e.before, e.after) for e in plan.changed]),
        ("manager_changed", [(key, {"manager_id": old}, {"manager_id": new})
                             for key, old, new in _moves(plan, real)]),
        ("reactivated", [(person_id(e.employee_id), None, None) for e in plan.reactivated]),
        ("deactivated", [(person_id(e.employee_id), None, None) for e in plan.deactivated]),
    ]
    for kind, items in kinds:
        if len(items) <= PER_PERSON_LIMIT:
            events += [event(f"person.{kind}", key, before, after)
                       for key, before, after in items]
            continue
        for chunk in _chunks(items, BATCH):
            events.append(event(f"people.{kind}", None, object_type="person", after={"people": [
                {"id": key, **({"before": before} if before else {}),
                 **({"after": after} if after else {})} for key, before, after in chunk]}))
    return events
