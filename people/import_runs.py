"""Import runs: the record of each org-chart import (who, when, which file, what it did),
the uploaded file kept under a server-made name in the instance folder, the live progress of a
running import, and the job body that applies one. Flushes, never commits."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app

from clearance import audit
from clearance.database import after_commit, utcnow
from clearance.extensions import db
from people import import_operations
from people.importer import ImportPlan, build_plan
from people.models import ImportRun, Person

Progress = Callable[[int, int, str], None]

def imports_folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_upload(data: bytes) -> str:
    """Keep the uploaded file under a server-made name; return that name."""
    name = f"{secrets.token_hex(16)}.csv"
    path = imports_folder() / name
    path.write_bytes(data)
    path.chmod(0o600)
    return name


def stored_path(run: ImportRun) -> Path:
    if not run.stored_name or "/" in run.stored_name or ".." in run.stored_name:
        raise FileNotFoundError("this import has no stored file")
    return imports_folder() / run.stored_name


def _progress_path(run: ImportRun) -> Path:
    return stored_path(run).with_suffix(".progress.json")


def read_progress(run: ImportRun) -> dict[str, Any] | None:
    """Live progress of a running import (written outside the import's transaction)."""
    try:
        return json.loads(_progress_path(run).read_text())
    except (FileNotFoundError, ValueError):
        return None


def progress_writer(run: ImportRun) -> Progress:
    """Write live progress to a file beside the upload: the import's own transaction is not
    visible to other requests until it commits."""
    target = _progress_path(run)

    def write(done: int, total: int, phase: str) -> None:
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps({"done": done, "total": total, "phase": phase}))
        os.replace(tmp, target)

    return write


MAX_STORED_ERRORS = 500


def _store_plan(run: ImportRun, plan: ImportPlan) -> None:
    run.sha256 = plan.sha256
    run.counts = plan.counts()
    run.errors = [{"line": p.line, "message": p.message}
                  for p in plan.problems[:MAX_STORED_ERRORS]]
    run.preview = plan.preview()


def create_run(data: bytes, *, filename: str, mapping: dict[str, str] | None,
               actor: Person) -> ImportRun:
    """Store an upload and its preview (ready to apply, or refused with its problems)."""
    stored = store_upload(data)
    plan = build_plan(data, filename=filename, mapping=mapping, actor_id=actor.id)
    run = ImportRun(created_by_id=actor.id, source="web", filename=filename,
                    stored_name=stored, mapping=mapping or None, sha256=plan.sha256,
                    status="ready" if plan.ok else "refused", total=0, done=0)
    _store_plan(run, plan)
    db.session.add(run)
    db.session.flush()
    audit.record("people.import_previewed", obj=run,
                 after={"filename": filename, "sha256": plan.sha256, "status": run.status,
                        **plan.counts()})
    return run


def queue_run(run: ImportRun, actor: Person) -> bool:
    """Mark a ready run as queued (the job is sent after commit); False if not ready."""
    if run.status != "ready":
        return False
    run.status = "queued"
    run.applied_by_id = actor.id
    db.session.flush()
    audit.record("people.import_queued", obj=run)
    from people.tasks import apply_import_run

    run_id = run.id
    after_commit(lambda: apply_import_run(run_id))
    return True


def run_import(run_id: int) -> ImportRun | None:
    """The job body: plan again against today's data, then apply (or record the refusal)."""
    run = db.session.get(ImportRun, run_id)
    if run is None or run.status not in ("queued", "running"):
        return run
    write = progress_writer(run)
    write(0, 0, "checking the file")
    import_operations.lock_org_chart()
    actor = run.applied_by_id
    plan = build_plan(stored_path(run).read_bytes(), filename=run.filename,
                      mapping=run.mapping, actor_id=actor)
    _store_plan(run, plan)
    run.finished_at = utcnow()
    if not plan.ok:
        run.status = "refused"
        db.session.flush()
        return run
    role = "admin" if actor else "system"
    result = import_operations.apply_plan(plan, run_id=run.id, actor_id=actor,
                                          acting_role=role, progress=write)
    run = db.session.get(ImportRun, run_id)
    assert run is not None
    run.status, run.total, run.done = "done", result["total"], result["total"]
    db.session.flush()
    live = _progress_path(run)
    after_commit(lambda: live.unlink(missing_ok=True))
    return run


def mark_failed(run_id: int, message: str) -> None:
    run = db.session.get(ImportRun, run_id)
    if run is None:
        return
    run.status = "failed"
    run.finished_at = utcnow()
    run.errors = [{"line": None, "message": message}]
    db.session.flush()
    audit.record("people.import_failed", obj=run, reason=message)


def record_cli_run(plan: ImportPlan) -> ImportRun:
    run = ImportRun(source="cli", filename=plan.filename[:255], sha256=plan.sha256,
                    status="running", total=0, done=0)
    _store_plan(run, plan)
    db.session.add(run)
    db.session.flush()
    return run


def finish_cli_run(run: ImportRun, result: dict[str, int]) -> None:
    run.status, run.total, run.done = "done", result["total"], result["total"]
    run.finished_at = utcnow()
    db.session.flush()
