"""The org-chart import engine: check a whole CSV file against the people already stored, work
out the difference, and write it in bulk.

Everything is computed in Python (the graph, cycle checks, a parent-first order, materialized
paths and depths) and written with a handful of Core ``executemany`` statements, so 100,000
people import in seconds. A file with any problem is refused whole, with the file line of each
problem. Managers must be in the file (people missing from it are deactivated), given by
employee id or e-mail address; a manager row may come after its reports.

:func:`build_plan` reads only; :func:`people.import_operations.apply_plan` writes a clean plan.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from clearance.extensions import db
from people.csvfile import CsvProblem, CsvTable, read_table
from people.import_checks import FileChecker, Problem, Stored, parse_roles
from people.models import Person, PersonRole

TEXT_FIELDS = ("name", "email", "job_title", "unit")


@dataclass
class Entry:
    """One line of the difference the import makes."""

    employee_id: str
    name: str
    line: int | None = None
    fields: tuple[str, ...] = ()
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    old_manager: str | None = None  # employee ids, for people to read
    new_manager: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"employee_id": self.employee_id, "name": self.name, "line": self.line,
                "fields": list(self.fields), "old_manager": self.old_manager,
                "new_manager": self.new_manager}


@dataclass
class ImportPlan:
    filename: str
    sha256: str
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    added: list[Entry] = field(default_factory=list)
    changed: list[Entry] = field(default_factory=list)
    manager_changes: list[Entry] = field(default_factory=list)
    reactivated: list[Entry] = field(default_factory=list)
    deactivated: list[Entry] = field(default_factory=list)
    unchanged: int = 0
    # For the writer. Keys: existing person id, or -n for the n-th new person.
    existing: dict[int, Stored] = field(default_factory=dict, repr=False)
    target: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)
    parent: dict[int, int | None] = field(default_factory=dict, repr=False)
    roles: dict[int, frozenset[str]] = field(default_factory=dict, repr=False)
    touched: set[int] = field(default_factory=set, repr=False)  # changed or reactivated
    old_roles: dict[int, frozenset[str]] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed or self.manager_changes or self.reactivated
                    or self.deactivated)

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "added": len(self.added), "changed": len(self.changed),
                "manager_changed": len(self.manager_changes),
                "reactivated": len(self.reactivated), "deactivated": len(self.deactivated),
                "unchanged": self.unchanged, "problems": len(self.problems)}

    def preview(self, limit: int = 200) -> dict[str, Any]:
        """The difference for a page or a stored record, each list cut to ``limit`` entries."""
        return {name: [e.as_dict() for e in getattr(self, name)[:limit]]
                for name in ("added", "changed", "manager_changes", "reactivated",
                             "deactivated")}


class ImportRefused(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"the file was refused: {len(problems)} problem(s)")
        self.problems = problems


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _load_existing() -> tuple[dict[int, Stored], dict[int, frozenset[str]]]:
    t = Person.__table__
    rows = db.session.execute(select(*(t.c[name] for name in Stored._fields))).all()
    make = Stored._make
    people = {row[0]: make(row) for row in rows}
    roles: dict[int, set[str]] = {}
    for person_id, role in db.session.execute(select(PersonRole.person_id, PersonRole.role)):
        roles.setdefault(person_id, set()).add(role)
    return people, {k: frozenset(v) for k, v in roles.items()}


@contextmanager
def gc_paused() -> Iterator[None]:
    """Bulk work creates millions of small objects; the cyclic collector's passes over them
    would cost more than the work itself (nothing here makes reference cycles)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_plan(data: bytes, *, filename: str = "people.csv",
               mapping: Mapping[str, str] | None = None,
               actor_id: int | None = None) -> ImportPlan:
    """Check ``data`` and work out what importing it would change. Reads only."""
    with gc_paused():
        return _build_plan(data, filename, mapping, actor_id)


def _build_plan(data: bytes, filename: str, mapping: Mapping[str, str] | None,
                actor_id: int | None) -> ImportPlan:
    plan = ImportPlan(filename=filename, sha256=file_sha256(data))
    try:
        table = read_table(data, mapping)
    except CsvProblem as exc:
        plan.problems = [Problem(exc.line, exc.message)]
        return plan
    plan.rows = len(table.rows)
    existing, old_roles = _load_existing()
    checker = FileChecker(table, existing)
    rows = checker.rows()
    parents = checker.managers()
    order = checker.loops_and_depth(parents)
    if not rows:
        checker.add(None, "the file has a header but no people")
    if actor_id is not None and actor_id in existing and not checker.problems:
        me = existing[actor_id]
        if me.employee_id not in checker.file_ids:
            checker.add(None, f"you ({me.name}, {me.employee_id}) are not in the file, so "
                              "importing it would deactivate your own account")
    if checker.problems:
        plan.problems = sorted(checker.problems, key=lambda p: (p.line or 0, p.message))
        return plan
    _diff(plan, table, existing, old_roles, checker.by_emp, parents, order)
    return plan


def _diff(plan: ImportPlan, table: CsvTable, existing: dict[int, Stored],
          old_roles: dict[int, frozenset[str]], by_emp: dict[str, Any],
          parents: list[int | None], order: list[int]) -> None:
    rows = table.rows
    cols = [f for f in TEXT_FIELDS if table.has(f)]
    has_roles = table.has("roles")
    keys: list[int] = []
    new_count = 0
    for row in rows:
        old = by_emp.get(row.values["employee_id"])
        if old is None:
            new_count += 1
            keys.append(-new_count)
        else:
            keys.append(old.id)
    emp_of = {r.id: r.employee_id for r in existing.values()}
    for index in order:
        row, key = rows[index], keys[index]
        v = row.values
        parent_index = parents[index]
        parent_key = keys[parent_index] if parent_index is not None else None
        manager_emp = rows[parent_index].values["employee_id"] if parent_index is not None \
            else None
        old = existing.get(key)
        target = {f: v[f] for f in cols}
        target["employee_id"] = v["employee_id"]
        plan.target[key] = target
        plan.parent[key] = parent_key
        if has_roles:
            plan.roles[key] = parse_roles(v["roles"])[0]
        if old is None:
            plan.added.append(Entry(v["employee_id"], v["name"], row.line, new_manager=manager_emp,
                                    after={**target, "manager": manager_emp,
                                           "roles": sorted(plan.roles.get(key, ()))}))
            continue
        fields = tuple(f for f in cols if getattr(old, f) != v[f])
        before = {f: getattr(old, f) for f in fields}
        after = {f: v[f] for f in fields}
        if has_roles and plan.roles[key] != old_roles.get(key, frozenset()):
            fields += ("roles",)
            before["roles"] = sorted(old_roles.get(key, ()))
            after["roles"] = sorted(plan.roles[key])
        if fields:
            plan.changed.append(Entry(v["employee_id"], v["name"], row.line, fields,
                                      before, after))
            plan.touched.add(key)
        if not old.active:
            plan.reactivated.append(Entry(v["employee_id"], v["name"], row.line))
            plan.touched.add(key)
        if old.manager_id != parent_key:
            plan.manager_changes.append(Entry(
                v["employee_id"], v["name"], row.line,
                before={"manager_id": old.manager_id}, after={"manager_id": parent_key},
                old_manager=emp_of.get(old.manager_id), new_manager=manager_emp))
        elif key not in plan.touched:
            plan.unchanged += 1
    for entries in (plan.added, plan.changed, plan.manager_changes, plan.reactivated):
        entries.sort(key=lambda e: e.line or 0)
    plan.existing = existing
    plan.old_roles = old_roles
    in_file = set(plan.target)
    for person_id, old in existing.items():
        if person_id in in_file:
            continue
        plan.parent[person_id] = old.manager_id
        if old.active:
            plan.deactivated.append(Entry(old.employee_id, old.name))
    plan.deactivated.sort(key=lambda e: e.employee_id)
