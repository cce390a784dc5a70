"""The hourly nudge run (``flask jobs worker``). Idempotent: the ledger makes a rerun, or two
workers at once, send nothing twice; quiet hours defer to the next run."""

from __future__ import annotations

from huey import crontab

from clearance.jobs import huey, job


@job()
def run_nudges() -> dict[str, int]:
    from engagement.nudges.runner import run

    return {r.kind: r.sent for r in run()}


@huey.periodic_task(crontab(minute="40", hour="*/1"))
def run_nudges_hourly() -> None:
    run_nudges.call_local()
