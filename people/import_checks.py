"""Checks of an org-chart file, row by row and as a whole: required values, lengths, e-mail
addresses, roles, uniqueness in the file and against the people stored, manager references,
loops and depth. Every problem is kept with its file line."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from typing import NamedTuple

from people.csvfile import CsvRow, CsvTable
from people.hierarchy import MAX_DEPTH

LIMITS = {"employee_id": 64, "name": 200, "email": 320, "job_title": 200, "unit": 200}
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
ROLE_WORDS = {"ld": "ld", "l&d": "ld", "landd": "ld", "learninganddevelopment": "ld",
              "admin": "admin", "administrator": "admin", "systemadministrator": "admin"}
DERIVED_ROLE_WORDS = {"learner", "manager", "staff", "employee"}


@dataclass(frozen=True, order=True)
class Problem:
    """Why a file is refused; ``line`` is the file line (None for the file as a whole)."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


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


class FileChecker:
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
