"""``flask records ...``: export development records from the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from clearance.database import commit, rollback, write_intent
from clearance.extensions import db
from people.models import Person
from portfolios.records import bulk
from portfolios.records.operations import issue_record
from portfolios.records.render import RenderFailed


@click.group("records")
def records_cli() -> None:
    """Development records: PDF exports and their verification."""


def _date(value: str | None, default: dt.date) -> dt.date:
    return dt.date.fromisoformat(value) if value else default


@records_cli.command("export")
@click.option("--person", "email", help="E-mail address: one person's record (a PDF).")
@click.option("--unit", help="Unit name: everyone in it (a ZIP of PDFs).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (.pdf for --person, .zip for --unit).")
@click.option("--from", "start", help="First day, YYYY-MM-DD (default: a year ago).")
@click.option("--to", "end", help="Last day, YYYY-MM-DD (default: today).")
@with_appcontext
def export_command(email: str | None, unit: str | None, out: Path, start: str | None,
                   end: str | None) -> None:
    """Write development records to a file; every record is audited as a system export."""
    if bool(email) == bool(unit):
        raise click.UsageError("Give exactly one of --person EMAIL or --unit NAME.")
    today = dt.datetime.now(dt.UTC).date()
    first, last = _date(start, today.replace(year=today.year - 1)), _date(end, today)
    with write_intent(True):
        try:
            if email:
                person = db.session.scalars(select(Person).where(
                    Person.email_key == email.strip().lower())).first()
                if person is None:
                    raise click.ClickException(f"nobody has the e-mail address {email}")
                try:
                    issued = issue_record(person, None, first, last)
                except RenderFailed as exc:
                    raise click.ClickException(str(exc)) from exc
                out.write_bytes(issued.pdf)
                click.echo(f"{out}: record {issued.record.code} for {person.name}")
            else:
                people = bulk.people_in_scope("unit", unit or "", None)
                if not people:
                    raise click.ClickException(f"nobody is in the unit {unit!r}")
                with click.progressbar(length=len(people), label="Records",
                                       show_eta=True, show_pos=True) as bar:
                    seen = {"n": 0}

                    def progress(done: int, total: int, failures: list) -> None:
                        handled = done + len(failures)
                        bar.update(handled - seen["n"])
                        seen["n"] = handled

                    done, failures = bulk.write_zip(people, out, actor=None, start=first,
                                                    end=last, progress=progress)
                for failure in failures:
                    click.echo(f"failed: {failure['name']}: {failure['error']}", err=True)
                click.echo(f"{out}: {done} records, {len(failures)} failed")
            commit()
        except BaseException:
            rollback()
            raise


@records_cli.command("expire")
@with_appcontext
def expire_command() -> None:
    """Delete bulk export files past their expiry."""
    with write_intent(True):
        count = bulk.expire_exports()
        commit()
    click.echo(f"{count} exports expired")
