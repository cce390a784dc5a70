"""Helpers for the org-import tests: CSV text from people, stored import runs."""

from __future__ import annotations

from typing import Any

HEADER = "Employee ID,Name,Email,Job Title,Unit,Manager"


def row(person: Any, boss: Any = None, **changes: str) -> str:
    values = {"employee_id": person.employee_id, "name": person.name, "email": person.email,
              "job_title": person.job_title, "unit": person.unit,
              "manager": boss.employee_id if boss is not None else ""}
    values.update(changes)
    return ",".join(values[k] for k in ("employee_id", "name", "email", "job_title", "unit",
                                        "manager"))


def org_rows(org: Any) -> list[str]:
    """The reference org exactly as stored, one CSV line each."""
    return [row(org.md), row(org.skip, org.md), row(org.line, org.skip),
            row(org.learner, org.line), row(org.unrelated, org.md),
            row(org.other_learner, org.unrelated), row(org.ld, org.md), row(org.admin, org.md)]


def org_csv(org: Any, *extra: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *org_rows(org), *extra]) + "\n").encode()


def stored_run(org: Any, data: bytes | None = None, status: str = "ready") -> int:
    """An import run as the upload page leaves it, with its file in the instance folder."""
    from people import import_runs

    run = import_runs.create_run(data if data is not None else org_csv(org),
                                 filename="org.csv", mapping=None, actor=org.admin)
    run.status = status
    return run.id
