"""Theme-release nudges: ``python -m bench.nudges_bench [--people 5000] [--no-pg] [--pg-url URL]``.

For each database: an org of ``--people`` people (through ``flask people import``), a few
people who switched the kind off or to one channel, or chose no quiet hours, and two published
programmes under one theme (one for managers, one for everyone) released on one day and two more
under another theme a month later. Then it times, with the SQL statements each runs:

- the reference path, nudge by nudge (``delivery.deliver`` over ``rules.theme_released``: one
  ledger row, notification and rendered e-mail per person), for the first theme;
- the hourly run (``runner.run(kinds=[theme_released])``, what the worker does) for the second;
- the same run again (everything already sent: nothing is written).

Each figure is wall-clock seconds with the process's CPU seconds in brackets, split into the
run (up to its last flush) and the commit. The after-commit mail jobs (one per e-mail, sent by
the worker) are counted, not run, so the commit is the database's alone.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import (
    add_child_parser,
    add_common_options,
    backend_name,
    bench_app,
    counting_statements,
    dispose,
    each_backend,
    import_org,
    run_child,
)

FIRST, SECOND = "2026-03-02 10:00", "2026-04-01 10:00"


def _at(text: str) -> Any:
    import datetime as dt

    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _setup(figures: dict[str, Any]) -> None:
    import datetime as dt

    from sqlalchemy import func, select

    from checkpoints.models import Programme
    from clearance.database import commit
    from clearance.extensions import db
    from engagement.nudges import preferences
    from engagement.nudges.models import THEME_RELEASED
    from people.models import Person

    for theme, day in (("Coaching", dt.date(2026, 3, 2)), ("Safety", dt.date(2026, 4, 1))):
        for audience in ("managers", "everyone"):
            db.session.add(Programme(
                title=f"{theme} for {audience}", summary="", theme=theme, audience=audience,
                kind="elective", open_in_catalogue=True, status="published", release_date=day))
    ids = list(db.session.scalars(select(Person.id).order_by(Person.id)))
    for n, pid in enumerate(ids):
        if n % 97 == 1:
            preferences.set_channels(pid, THEME_RELEASED, preferences.Channels(False, False))
        elif n % 89 == 2:
            preferences.set_channels(pid, THEME_RELEASED, preferences.Channels(True, False))
        elif n % 83 == 3:
            preferences.set_quiet_hours(pid, "off")
    commit()
    figures["people"] = db.session.scalar(select(func.count()).select_from(Person))


def _measure(engine: Any, work: Callable[[], Any]) -> dict[str, Any]:
    from sqlalchemy import func, select

    from clearance.database import _AFTER_COMMIT_KEY
    from clearance.extensions import db
    from clearance.mail import OutboxMessage

    outbox = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    with counting_statements(engine) as seen:
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        db.session.flush()
        run = (time.perf_counter() - wall, time.process_time() - cpu)
        statements = len(seen)
        jobs = len(db.session().info.pop(_AFTER_COMMIT_KEY, []))
        wall, cpu = time.perf_counter(), time.process_time()
        db.session.commit()
        done = (time.perf_counter() - wall, time.process_time() - cpu)
    emails = db.session.scalar(select(func.count()).select_from(OutboxMessage)) - outbox
    return {"run": run, "commit": done, "statements": statements, "callbacks": jobs,
            "emails": emails,
            "sent": result.sent, "opted_out": result.opted_out, "already": result.already}


def run_backend(url: str, csv_path: Path, workdir: Path) -> dict[str, Any]:
    from clearance.database import write_intent
    from clearance.extensions import db
    from engagement.nudges import delivery, rules, runner
    from engagement.nudges.config import load_config
    from engagement.nudges.models import THEME_RELEASED

    app = bench_app(url, workdir)
    figures: dict[str, Any] = {"backend": backend_name(url)}
    import_org(app, csv_path)
    with app.app_context(), write_intent(True):
        _setup(figures)
        engine, cfg = db.engine, load_config()
        first = _at(FIRST)
        figures["per_person"] = _measure(engine, lambda: delivery.deliver(
            THEME_RELEASED, rules.theme_released(first, cfg), first, cfg))
        second = _at(SECOND)

        def hourly() -> Any:
            return runner.run(second, kinds=[THEME_RELEASED], cfg=cfg)[0]

        figures["run"] = _measure(engine, hourly)
        figures["rerun"] = _measure(engine, hourly)
        db.session.remove()
    dispose(app)
    return figures


def _child(url: str, csv_path: Path, workdir: Path) -> dict[str, Any]:
    return run_child("bench.nudges_bench",
                     ["--url", url, "--csv", str(csv_path), "--workdir", str(workdir)])


def report(results: list[dict[str, Any]], load: float) -> None:
    print(f"Theme-release nudges (load average at start {load:.2f}; wall-clock seconds, CPU "
          "seconds in brackets)")
    labels = {"per_person": "nudge by nudge (reference path)",
              "run": "hourly run (theme_released)", "rerun": "the same run again"}
    for r in results:
        print(f"\n== {r['backend']}: {r['people']:,} people")
        for key, label in labels.items():
            f = r[key]
            print(f"  {label:<32}: run {f['run'][0]:6.2f} s ({f['run'][1]:5.2f}), commit "
                  f"{f['commit'][0]:5.2f} s ({f['commit'][1]:5.2f}); {f['statements']:,} SQL "
                  f"statements; {f['sent']:,} sent, {f['already']:,} already, "
                  f"{f['opted_out']:,} opted out; {f['emails']:,} e-mails in the outbox, "
                  f"{f['callbacks']:,} after-commit callbacks")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.nudges_bench",
                                     description=__doc__.splitlines()[0])
    add_child_parser(parser)
    add_common_options(parser, people=5_000)
    args = parser.parse_args(argv)
    if args.command == "run":
        print(json.dumps(run_backend(args.url, args.csv, args.workdir)))
        return
    results, load = each_backend(args, _child, prefix="clearance-nudges-bench-")
    report(results, load)


if __name__ == "__main__":
    main()
