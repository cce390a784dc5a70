"""``flask people ...`` commands."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import AppGroup

from clearance.database import commit, rollback, write_intent
from people.csvfile import parse_mapping
from people.importer import Entry, ImportPlan, build_plan

people_cli = AppGroup("people", help="People and the org chart.")

FIELD_WORDS = {"job_title": "job title", "email": "e-mail", "employee_id": "employee id"}


def _section(title: str, entries: list[Entry], limit: int,
             fmt: Callable[[Entry], str]) -> None:
    click.echo(f"{title}: {len(entries)}")
    shown = entries if limit <= 0 else entries[:limit]
    for entry in shown:
        click.echo("  " + fmt(entry))
    if len(shown) < len(entries):
        click.echo(f"  … and {len(entries) - len(shown)} more (--limit 0 lists them all)")


def _at(entry: Entry) -> str:
    return f" (line {entry.line})" if entry.line else ""


def echo_plan(plan: ImportPlan, limit: int) -> None:
    """The difference, as ``--dry-run`` prints it."""
    _section("Added", plan.added, limit, lambda e: f"+ {e.employee_id}  {e.name}{_at(e)}"
             + (f", manager {e.new_manager}" if e.new_manager else ", top of the chart"))
    _section("Changed", plan.changed, limit, lambda e: f"~ {e.employee_id}  {e.name}{_at(e)}: "
             + ", ".join(FIELD_WORDS.get(f, f) for f in e.fields))
    _section("Manager changes", plan.manager_changes, limit,
             lambda e: f"> {e.employee_id}  {e.name}{_at(e)}: "
                       f"{e.old_manager or 'none'} → {e.new_manager or 'none'}")
    _section("Reactivated", plan.reactivated, limit,
             lambda e: f"* {e.employee_id}  {e.name}{_at(e)}")
    _section("Deactivated", plan.deactivated, limit, lambda e: f"- {e.employee_id}  {e.name}")
    click.echo(f"Unchanged: {plan.unchanged}")


@people_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; save nothing.")
@click.option("--map", "maps", multiple=True, metavar="COLUMN=FIELD",
              help="Read a column as a field, e.g. --map \"Staff Number=employee_id\". "
                   "Fields: employee_id, name, first_name, last_name, email, job_title, unit, "
                   "manager, roles, ignore.")
@click.option("--limit", default=50, show_default=True,
              help="People listed per section of the difference (0 lists everyone).")
def import_people(file: Path, dry_run: bool, maps: tuple[str, ...], limit: int) -> None:
    """Import or update the org chart from a CSV file (UTF-8, comma or semicolon separated).

    People are matched on employee id; managers are given by employee id or e-mail and must be
    in the file. People missing from the file are deactivated. A file with any problem is
    refused whole, with the line of each problem.
    """
    from people import import_operations, import_runs

    try:
        mapping = parse_mapping(maps)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--map") from None
    started = time.perf_counter()
    data = file.read_bytes()
    with write_intent(True):
        import_operations.lock_org_chart()
        plan = build_plan(data, filename=file.name, mapping=mapping)
        if not plan.ok:
            rollback()
            click.echo(f"{file.name} was refused; nothing was saved:", err=True)
            for problem in plan.problems:
                click.echo(f"  {problem}", err=True)
            raise SystemExit(1)
        echo_plan(plan, limit)
        if dry_run:
            rollback()
            click.echo("Dry run: nothing was saved.")
            return
        run = import_runs.record_cli_run(plan)
        result = import_operations.apply_plan(plan, run_id=run.id)
        import_runs.finish_cli_run(run, result)
        commit()
    click.echo(f"Imported {plan.rows} rows from {file.name} in "
               f"{time.perf_counter() - started:.1f} s (sha256 {plan.sha256[:12]}…).")
