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
import re
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import select

from clearance.extensions import db
from people.csvfile import CsvProblem, CsvRow, CsvTable, read_table
from people.hierarchy import MAX_DEPTH
from people.models import Person, PersonRole

LIMITS = {"employee_id": 64, "name": 200, "email": 320, "job_title": 200, "unit": 200}
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
ROLE_WORDS = {"ld": "ld", "l&d": "ld", "landd": "ld", "learninganddevelopment": "ld",
              "admin": "admin", "administrator": "admin", "systemadministrator": "admin"}
DERIVED_ROLE_WORDS = {"learner", "manager", "staff", "employee"}
TEXT_FIELDS = ("name", "email", "job_title", "unit")


@dataclass(frozen=True, order=True)
class Problem:
    """Why a file is refused; ``line`` is the file line (None for the file as a whole)."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


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


def parse_roles(text: str) -> tuple[frozenset[str], list[str]]:
    roles, unknown = set(), []
    for word in re.split(r"[,;|/+]+|\s{2,}|\s+and\s+", text.strip()):
        key = re.sub(r"[\s_.-]+", "", word.strip().lower())
        if not key or key in DERIVED_ROLE_WORDS:
            continue
        if key in ROLE_WORDS:
            roles.add(ROLE_WORDS[key])
        else:
            unknown.append(word.strip())
    return frozenset(roles), unknown


class Stored(NamedTuple):
    """A person as stored before the import (plain tuples: fast to read 100,000 of)."""

    id: int
    employee_id: str
    name: str
    email: str
    email_key: str
    job_title: str
    unit: str
    manager_id: int | None
    path: str
    depth: int
    active: bool
    session_version: int


def _load_existing() -> tuple[dict[int, Stored], dict[int, frozenset[str]]]:
    t = Person.__table__
    rows = db.session.execute(select(*(t.c[name] for name in Stored._fields))).all()
    make = Stored._make
    people = {row[0]: make(row) for row in rows}
    roles: dict[int, set[str]] = {}
    for person_id, role in db.session.execute(select(PersonRole.person_id, PersonRole.role)):
        roles.setdefault(person_id, set()).add(role)
    return people, {k: frozenset(v) for k, v in roles.items()}


class _Checker:
    """Per-row checks, file-wide uniqueness, manager references, loops and depth."""

    def __init__(self, table: CsvTable, existing: dict[int, Stored]) -> None:
        self.table = table
        self.problems: list[Problem] = []
        self.by_emp = {r.employee_id: r for r in existing.values()}
        self.by_email = {r.email_key: r for r in existing.values()}
        self.file_ids: dict[str, int] = {}  # employee id -> row index
        self.folded_ids: dict[str, int] = {}  # the same, ignoring case
        self.file_emails: dict[str, int] = {}  # e-mail key -> row index

    def add(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(line, message))

    def rows(self) -> list[CsvRow]:
        rows = self.table.rows
        for index, row in enumerate(rows):
            v, line = row.values, row.line
            for name, limit in LIMITS.items():
                if len(v.get(name, "")) > limit:
                    self.add(line, f"the {name.replace('_', ' ')} is longer than {limit} "
                                   "characters")
            emp = v["employee_id"]
            if not emp:
                self.add(line, "the employee id is missing")
            elif emp in self.file_ids:
                self.add(line, f"employee id {emp} is already used on line "
                               f"{rows[self.file_ids[emp]].line}")
            elif emp.casefold() in self.folded_ids:
                other = rows[self.folded_ids[emp.casefold()]]
                self.add(line, f"employee id {emp} differs only in capitals from "
                               f"{other.values['employee_id']} on line {other.line}")
            else:
                self.file_ids[emp] = index
                self.folded_ids[emp.casefold()] = index
            if not v["name"]:
                self.add(line, "the name is missing")
            email = v["email"]
            if not email:
                self.add(line, "the e-mail address is missing")
            elif not _EMAIL.match(email):
                self.add(line, f"\"{email}\" is not a valid e-mail address")
            else:
                key = email.lower()
                if key in self.file_emails:
                    self.add(line, f"e-mail address {email} is already used on line "
                                   f"{rows[self.file_emails[key]].line}")
                else:
                    self.file_emails[key] = index
            if "roles" in v:
                _, unknown = parse_roles(v["roles"])
                if unknown:
                    self.add(line, "unknown role(s) " + ", ".join(f"\"{u}\"" for u in unknown)
                             + " (use ld or admin)")
        stored_folded = {r.employee_id.casefold(): r for r in self.by_emp.values()}
        for emp, index in self.file_ids.items():
            owner = None if emp in self.by_emp else stored_folded.get(emp.casefold())
            if owner is not None and owner.employee_id not in self.file_ids:
                self.add(rows[index].line, f"employee id {emp} differs only in capitals from "
                         f"{owner.employee_id} ({owner.name}), who is not in the file")
        for key, index in self.file_emails.items():
            owner = self.by_email.get(key)
            emp = rows[index].values["employee_id"]
            if owner is not None and owner.employee_id != emp \
                    and owner.employee_id not in self.file_ids:
                self.add(rows[index].line, f"e-mail address {rows[index].values['email']} "
                         f"belongs to {owner.name} ({owner.employee_id}), who is not in the file")
        return rows

    def managers(self) -> list[int | None]:
        """Row index of each row's manager (None: top of the chart or not resolved)."""
        rows = self.table.rows
        parents: list[int | None] = []
        for index, row in enumerate(rows):
            ref = row.values["manager"]
            if not ref:
                parents.append(None)
                continue
            found = self.file_ids.get(ref)
            if found is None:
                found = self.file_emails.get(ref.lower())
            if found is None:
                known = self.by_emp.get(ref) or self.by_email.get(ref.lower())
                hint = (f" ({known.name} is stored but missing from the file, so would be "
                        "deactivated)") if known is not None else ""
                self.add(row.line, f"manager {ref} is not in the file{hint}")
            elif found == index:
                self.add(row.line, "this person is given as their own manager")
                found = None
            parents.append(found)
        return parents

    def loops_and_depth(self, parents: list[int | None]) -> list[int]:
        """Report every loop once (with all its lines); return a parent-first row order."""
        rows = self.table.rows
        state = [0] * len(rows)  # 0 new, 1 on the current walk, 2 settled
        for start in range(len(rows)):
            walk: list[int] = []
            node: int | None = start
            while node is not None and state[node] == 0:
                state[node] = 1
                walk.append(node)
                node = parents[node]
            if node is not None and state[node] == 1:
                loop = walk[walk.index(node):]
                lines = sorted(rows[i].line for i in loop)
                names = " → ".join(rows[i].values["employee_id"] for i in loop)
                self.add(lines[0], f"managers form a loop: {names} → "
                                   f"{rows[node].values['employee_id']} (lines "
                                   + ", ".join(map(str, lines)) + ")")
            for i in walk:
                state[i] = 2
        if self.problems:
            return []
        children: dict[int | None, list[int]] = {}
        for index, parent in enumerate(parents):
            children.setdefault(parent, []).append(index)
        order, depth = [], [0] * len(rows)
        queue = deque(children.get(None, []))
        while queue:
            index = queue.popleft()
            order.append(index)
            if depth[index] > MAX_DEPTH:
                self.add(rows[index].line, f"the chart is more than {MAX_DEPTH} levels deep "
                                           "here")
                return []
            for child in children.get(index, ()):
                depth[child] = depth[index] + 1
                queue.append(child)
        return order


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
    checker = _Checker(table, existing)
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
        touched = False
        if fields:
            plan.changed.append(Entry(v["employee_id"], v["name"], row.line, fields,
                                      before, after))
            touched = True
        if old.manager_id != parent_key:
            plan.manager_changes.append(Entry(
                v["employee_id"], v["name"], row.line,
                before={"manager_id": old.manager_id}, after={"manager_id": parent_key},
                old_manager=emp_of.get(old.manager_id), new_manager=manager_emp))
            touched = True
        if not old.active:
            plan.reactivated.append(Entry(v["employee_id"], v["name"], row.line))
            touched = True
        plan.unchanged += not touched
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
