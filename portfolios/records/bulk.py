"""Bulk exports: many people's development records in one ZIP, built by a background job.

Progress is written to a small file beside the ZIP (the job's own transaction is invisible to
other requests until it commits), so the progress page can show done/total and an ETA while the
job runs. Each person's record is made inside a savepoint: one record that fails (a render over
its limits, say) is reported by name and the others carry on.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from checkpoints.models import Enrolment, Programme
from clearance import audit
from clearance.access import can
from clearance.database import after_commit, as_utc, utcnow
from clearance.extensions import db
from people.hierarchy import everyone_under_stmt
from people.models import Person
from portfolios.records.models import BulkExport
from portfolios.records.operations import issue_record
from portfolios.records.render import RenderFailed

Progress = Callable[[int, int, list[dict[str, Any]]], None]


class ExportRefused(ValueError):
    """The export cannot be started; the message is fit to show."""


def export_dir() -> Path:
    path = Path(current_app.instance_path) / "exports"
    path.mkdir(parents=True, exist_ok=True, mode=0o750)
    return path


def _progress_path(export: BulkExport) -> Path:
    return export_dir() / f"export-{export.id}.progress.json"


def read_progress(export: BulkExport) -> dict[str, Any] | None:
    try:
        return json.loads(_progress_path(export).read_text())
    except (FileNotFoundError, ValueError):
        return None


def people_in_scope(scope: str, value: str, requester: Person | None) -> list[Person]:
    if scope == "team":
        if requester is None:
            raise ExportRefused("A team export needs the manager who asks for it.")
        stmt = everyone_under_stmt(requester)
    elif scope == "unit":
        stmt = select(Person).where(Person.unit == value, Person.active.is_(True))
    elif scope == "programme":
        stmt = (select(Person).join(Enrolment, Enrolment.person_id == Person.id)
                .where(Enrolment.programme_id == int(value or 0), Person.active.is_(True))
                .distinct())
    else:
        raise ExportRefused("Choose whose records to export.")
    return list(db.session.scalars(stmt.order_by(Person.name, Person.id)))


def scope_label(scope: str, value: str, requester: Person | None) -> str:
    if scope == "team":
        return f"Everyone under {requester.name if requester else 'the requester'}"
    if scope == "unit":
        return f"Unit: {value}"
    programme = db.session.get(Programme, int(value or 0))
    return f"Programme: {programme.title if programme else value}"


def start_export(requester: Person, scope: str, value: str, start: dt.date,
                 end: dt.date) -> BulkExport:
    """Queue a bulk export (the job starts after commit)."""
    if scope != "team" and not can(requester, "records.bulk_any"):
        raise ExportRefused("You can export your own team's records only.")
    people = people_in_scope(scope, value, requester)
    if not people:
        raise ExportRefused("There is nobody to export in that choice.")
    export = BulkExport(requested_by_id=requester.id, scope=scope, scope_value=value,
                        scope_label=scope_label(scope, value, requester), period_start=start,
                        period_end=end, status="queued", total=len(people), done=0,
                        failures=[])
    db.session.add(export)
    db.session.flush()
    audit.record("records.bulk_requested", obj=export,
                 after={"scope": scope, "value": value, "total": len(people),
                        "period": [start.isoformat(), end.isoformat()]})
    export_id = export.id

    def enqueue() -> None:
        from portfolios.records.tasks import build_export

        build_export(export_id)

    after_commit(enqueue)
    return export


def write_zip(people: Iterable[Person], target: Path, *, actor: Person | None,
              start: dt.date, end: dt.date, export_id: int | None = None,
              progress: Progress | None = None) -> tuple[int, list[dict[str, Any]]]:
    """Render each person's record into the ZIP at ``target``; returns (done, failures)."""
    people = list(people)
    failures: list[dict[str, Any]] = []
    done = 0
    tmp = target.with_suffix(".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as archive:
        for person in people:
            if actor is not None and not can(actor, "records.export", person):
                failures.append({"person_id": person.id, "name": person.name,
                                 "error": "not permitted"})
            else:
                savepoint = db.session.begin_nested()
                try:
                    issued = issue_record(person, actor, start, end, export_id=export_id)
                    savepoint.commit()
                    archive.writestr(_entry_name(person, issued.record.code), issued.pdf)
                    done += 1
                except (RenderFailed, Exception) as exc:
                    savepoint.rollback()
                    message = str(exc) if isinstance(exc, RenderFailed) else \
                        f"could not be made ({type(exc).__name__})"
                    current_app.logger.warning("record of person %s failed in export %s: %s",
                                               person.id, export_id, exc)
                    failures.append({"person_id": person.id, "name": person.name,
                                     "error": message})
            if progress is not None:
                progress(done, len(people), failures)
    os.replace(tmp, target)
    return done, failures


def _entry_name(person: Person, code: str) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in person.name).strip("-")[:60]
    return f"{safe or 'person'}-{person.employee_id}-{code}.pdf"


def run_export(export_id: int) -> BulkExport:
    """The job body: build the ZIP for a queued export."""
    export = db.session.get(BulkExport, export_id)
    if export is None or export.status not in ("queued", "running"):
        raise ExportRefused("That export is not waiting to run.")
    requester = export.requested_by
    people = people_in_scope(export.scope, export.scope_value, requester)
    export.status, export.started_at, export.total = "running", utcnow(), len(people)
    live = _progress_path(export)
    started = as_utc(export.started_at)

    def write(done: int, total: int, failures: list[dict[str, Any]]) -> None:
        tmp = live.with_suffix(".tmp")
        tmp.write_text(json.dumps({"done": done, "total": total, "failures": failures,
                                   "started_at": started.isoformat()}))
        os.replace(tmp, live)

    write(0, len(people), [])
    name = f"records-{secrets.token_hex(16)}.zip"
    target = export_dir() / name
    done, failures = write_zip(people, target, actor=requester, start=export.period_start,
                               end=export.period_end, export_id=export.id, progress=write)
    now = utcnow()
    days = int(current_app.config.get("RECORDS_EXPORT_DAYS", 7))
    export.status = "done"
    export.done, export.failures = done, failures
    export.finished_at, export.expires_at = now, now + dt.timedelta(days=days)
    export.file_name, export.size_bytes = name, target.stat().st_size
    audit.record("records.bulk_exported", obj=export,
                 after={"done": done, "failed": len(failures), "size": export.size_bytes})
    after_commit(lambda: live.unlink(missing_ok=True))
    return export


def mark_failed(export_id: int, message: str) -> None:
    export = db.session.get(BulkExport, export_id)
    if export is None:
        return
    export.status, export.error, export.finished_at = "failed", message, utcnow()
    audit.record("records.bulk_failed", obj=export, after={"error": message})


def export_path(export: BulkExport) -> Path | None:
    """The ZIP of a finished, unexpired export, or None."""
    if export.status != "done" or not export.file_name:
        return None
    if export.expires_at is not None and as_utc(export.expires_at) <= utcnow():
        return None
    path = export_dir() / export.file_name
    return path if path.is_file() else None


def expire_exports(now: dt.datetime | None = None) -> int:
    """Delete the ZIPs of exports past their expiry; returns how many."""
    now = now or utcnow()
    rows = db.session.scalars(select(BulkExport).where(
        BulkExport.status == "done", BulkExport.expires_at <= now)).all()
    for export in rows:
        if export.file_name:
            (export_dir() / export.file_name).unlink(missing_ok=True)
        export.status = "expired"
        audit.record("records.bulk_expired", obj=export, actor_id=None, acting_role="system")
    db.session.flush()
    return len(rows)
