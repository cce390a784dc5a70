"""``flask nudges run [--dry-run] [--now ISO] [--kind KIND]``,
``flask nudges status [--limit N] [--kind KIND] [--person EMAIL] [--mail STATE]`` and
``flask nudges completions [--dry-run] [--recognise]``."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import click
from flask.cli import AppGroup

from clearance.database import commit, rollback, write_intent
from engagement.nudges.models import KINDS, MAIL_STATES

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


def _mail_text(line: Any) -> str:
    from clearance.mail import MAX_ATTEMPTS

    outbox = f" (outbox #{line.outbox_id})" if line.outbox_id is not None else ""
    if line.mail == "sent":
        return f"sent {line.mail_at:%Y-%m-%d %H:%M}{outbox}"
    if line.mail == "kept":
        return f"kept in the outbox, no SMTP configured{outbox}"
    if line.mail == "pending":
        return f"pending{outbox}"
    if line.mail == "failed":
        error = " ".join((line.error or "").split())[:80]
        retry = ("will retry" if line.attempts < MAX_ATTEMPTS
                 else f"gave up after {line.attempts} attempts")
        return f"FAILED, {retry}{outbox}: {error}"
    return {"held": "held until the person's quiet hours end",
            "none": "none (in-app only)",
            "unknown": "e-mailed; outbox row not recorded (before it was)"}[line.mail]


@nudges_cli.command("status")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000),
              help="How many of the latest deliveries.")
@click.option("--kind", type=click.Choice(KINDS), help="Only this kind.")
@click.option("--person", "email", metavar="EMAIL", help="Only this person's.")
@click.option("--mail", type=click.Choice(MAIL_STATES),
              help="Only deliveries whose e-mail is in this state.")
def status_command(limit: int, kind: str | None, email: str | None, mail: str | None) -> None:
    """The latest deliveries and whether each e-mail went (its outbox row)."""
    from engagement.nudges.queries import recent_deliveries

    with write_intent(False):
        lines = recent_deliveries(limit, kind=kind, email=email, mail=mail)
        rollback()
    if not lines:
        click.echo("No nudge deliveries match.")
        return
    click.echo(f"{'id':>7}  {'created (UTC)':<16}  {'kind':<17}  {'person':<32}  "
               f"{'about':<28}  app  e-mail")
    for line in lines:
        about = f"{line.subject} {line.period}"
        click.echo(f"{line.id:>7}  {line.created_at:%Y-%m-%d %H:%M}  {line.kind:<17}  "
                   f"{line.email[:32]:<32}  {about[:28]:<28}  "
                   f"{'yes' if line.in_app else 'no ':<3}  {_mail_text(line)}")
    counts = Counter(line.mail for line in lines)
    click.echo(f"{len(lines)} deliveries; e-mail: " + ", ".join(
        f"{counts[state]} {state}" for state in MAIL_STATES if counts[state]))
