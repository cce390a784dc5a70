"""Background jobs of the people domain."""

from __future__ import annotations

from flask import current_app

from clearance.database import rollback
from clearance.jobs import job
from people import import_runs


@job()
def apply_import_run(run_id: int) -> None:
    """Apply a previewed org import. A crash is recorded on the run instead of being lost."""
    try:
        import_runs.run_import(run_id)
    except Exception as exc:
        current_app.logger.exception("org import %s failed", run_id)
        rollback()
        kind = type(exc).__name__
        import_runs.mark_failed(
            run_id, f"the import stopped with an error ({kind}); nothing was saved")
