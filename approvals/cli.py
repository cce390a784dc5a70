"""``flask approvals ...``: escalation by hand (a periodic job runs it too)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from clearance.database import commit, write_intent

approvals_cli = AppGroup("approvals", help="Approval routing.")


@approvals_cli.command("escalate")
@click.option("--dry-run", is_flag=True, help="List what would move; change nothing.")
def escalate(dry_run: bool) -> None:
    """Escalate every step left undecided past its deadline to the approver's manager."""
    from approvals.operations import escalate_due

    with write_intent(True):
        moves = escalate_due(dry_run=dry_run)
        for m in moves:
            target = m.to_name or "nobody higher: kept, checked again later"
            click.echo(f"step {m.step_id}: {m.learner}, {m.checkpoint}: {m.from_name} -> {target}")
        if not dry_run:
            commit()
    verb = "would move" if dry_run else "moved"
    click.echo(f"{len(moves)} step(s) {verb}")
