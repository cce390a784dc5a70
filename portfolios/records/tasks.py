"""Background jobs for development records."""

from __future__ import annotations

from flask import current_app
from huey import crontab

from clearance.database import rollback
from clearance.jobs import huey, job
from portfolios.records import bulk


@job()
def build_export(export_id: int) -> None:
    """Build a bulk export's ZIP. A crash is recorded on the export instead of being lost."""
    try:
        bulk.run_export(export_id)
    except Exception as exc:
        current_app.logger.exception("records export %s failed", export_id)
        rollback()
        bulk.mark_failed(export_id, f"the export stopped with an error ({type(exc).__name__})")


@job()
def expire_exports() -> int:
    return bulk.expire_exports()


@huey.periodic_task(crontab(minute="40", hour="*/1"))
def expire_exports_hourly() -> None:
    """Bulk export ZIPs are deleted within the hour after they expire."""
    expire_exports.call_local()
