"""The daily job that tells line managers about application checks that came due."""

from __future__ import annotations

from huey import crontab

from clearance.jobs import huey, job


@job()
def notify_due_checks() -> int:
    from engagement.application.operations import notify_due

    return sum(len(n.checks) for n in notify_due())


@huey.periodic_task(crontab(minute="10", hour="7"))
def notify_due_checks_daily() -> None:
    notify_due_checks.call_local()
