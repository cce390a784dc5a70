"""Operator commands: ``flask audit verify``, ``flask jobs worker``, ``flask demo seed``.

CLI commands are a unit of work of their own: they commit through ``clearance.database.commit``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from clearance.database import commit, write_intent

audit_cli = AppGroup("audit", help="The audit trail.")
jobs_cli = AppGroup("jobs", help="Background jobs.")
demo_cli = AppGroup("demo", help="The demo organisation.")

# Domains add to the demo seed in order: (order, "module:function").
DEMO_SEEDERS: list[tuple[int, str]] = [
    (10, "people.demo:seed_people"),
    (20, "rubrics.demo:seed_rubrics"),
    (30, "checkpoints.demo:seed_programmes"),
    (40, "portfolios.demo:seed_submissions"),
    (45, "approvals.one_to_ones.demo:seed_one_to_ones"),
    (50, "approvals.spot_checks.demo:seed_spot_checks"),
    (58, "engagement.demo:seed_year_of_activity"),
]


def register_demo_seeder(order: int, ref: str) -> None:
    if (order, ref) not in DEMO_SEEDERS:
        DEMO_SEEDERS.append((order, ref))
        DEMO_SEEDERS.sort()


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the hash chain; name the first broken row."""
    from clearance.audit import verify_chain

    result = verify_chain()
    if result.ok:
        click.echo(f"audit chain OK: {result.checked} events verified")
        return
    click.echo(f"audit chain BROKEN at event id {result.broken_id}: {result.problem}", err=True)
    sys.exit(1)


@jobs_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
def jobs_worker(workers: int) -> None:
    """Run the huey consumer for background jobs (mail, imports, exports)."""
    from clearance.jobs import huey, set_worker_app

    if huey.immediate:
        click.echo("jobs run immediately in this configuration; no worker is needed")
        return
    set_worker_app(current_app._get_current_object())  # type: ignore[attr-defined]
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    click.echo(f"job worker started ({workers} threads, {type(huey).__name__})")
    consumer.run()


@demo_cli.command("seed")
@click.option("--password", default="clearance-demo", show_default=True,
              help="Password every demo person signs in with.")
def demo_seed(password: str) -> None:
    """Load the realistic demo organisation into an empty database (a second run does nothing)."""
    if current_app.config["ENV"] == "production":
        raise click.ClickException("the demo seed never runs in production")
    summary: dict[str, Any] = {"password": password}
    with write_intent(True):
        for _order, ref in DEMO_SEEDERS:
            module, _, name = ref.partition(":")
            fn: Callable[[dict[str, Any]], None] = getattr(importlib.import_module(module), name)
            fn(summary)
        commit()
    click.echo(summary.get("report", "demo data loaded"))

