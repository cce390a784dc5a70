"""Periodic approvals jobs (run by ``flask jobs worker``)."""

from __future__ import annotations

from huey import crontab

from clearance.jobs import huey, job


@job()
def escalate_overdue() -> int:
    from approvals.operations import escalate_due

    return len(escalate_due())


@huey.periodic_task(crontab(minute="15", hour="*/1"))
def escalate_overdue_hourly() -> None:
    escalate_overdue.call_local()
