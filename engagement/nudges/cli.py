"""``flask nudges run [--dry-run] [--now ISO] [--kind KIND]`` and
``flask nudges completions [--dry-run] [--recognise]``."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup

from clearance.database import commit, rollback, write_intent
from engagement.nudges.models import KINDS

nudges_cli = AppGroup("nudges", help="Nudges, reminders and recognition.")


def _parse_now(raw: str | None) -> dt.datetime | None:
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError as exc:
        raise click.BadParameter(f"not an ISO date-time: {raw!r}") from exc
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@nudges_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Count what would be sent; send nothing.")
@click.option("--now", "now_raw", metavar="ISO",
              help="Run as if it were this moment (UTC unless it names an offset).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS),
              help="Only this kind (repeatable).")
def run_command(dry_run: bool, now_raw: str | None, kinds: tuple[str, ...]) -> None:
    """Send every nudge that is due (the worker does this hourly)."""
    from engagement.nudges.runner import run

    with write_intent(not dry_run):
        results = run(_parse_now(now_raw), dry_run=dry_run, kinds=kinds or None)
        if dry_run:
            rollback()
        else:
            commit()
    for result in results:
        click.echo(result.line())
    if dry_run:
        click.echo("dry run: nothing was sent or recorded")


@nudges_cli.command("completions")
@click.option("--dry-run", is_flag=True, help="Count only.")
@click.option("--recognise", is_flag=True,
              help="Also send recognition (off by default: completions may be old).")
def completions_command(dry_run: bool, recognise: bool) -> None:
    """Mark every programme whose checkpoints are all done as completed (and clear those
    that no longer hold): for data from before completion was recorded."""
    from engagement.nudges.completion import sweep

    with write_intent(not dry_run):
        done, cleared = sweep(recognise=recognise, dry_run=dry_run)
        if dry_run:
            rollback()
        else:
            commit()
    click.echo(f"{done} enrolments completed, {cleared} completions cleared"
               + (" (dry run)" if dry_run else ""))
