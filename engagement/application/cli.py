"""``flask application-checks due [--dry-run]``: tell line managers about checks that came due
(the worker runs the same daily)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from clearance.database import commit, write_intent

application_checks_cli = AppGroup("application-checks",
                                  help="Level-3 application checks.")


@application_checks_cli.command("due")
@click.option("--dry-run", is_flag=True, help="List who would be told; change nothing.")
def due(dry_run: bool) -> None:
    """Notify each line manager (in-app and one e-mail) about checks that came due for them."""
    from engagement.application.operations import notify_due

    with write_intent(True):
        notices = notify_due(dry_run=dry_run)
        for n in notices:
            for check_id, learner, title in n.checks:
                click.echo(f"check {check_id}: {n.manager_name} about {learner}, {title}")
        if not dry_run:
            commit()
    count = sum(len(n.checks) for n in notices)
    verb = "would be notified" if dry_run else "notified"
    click.echo(f"{count} check(s) {verb} to {len(notices)} manager(s)")
