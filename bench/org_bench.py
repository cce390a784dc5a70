"""Org-chart benchmarks: CSV import, unchanged re-import, a re-organisation, and the two
hierarchy queries every page leans on ("chain above" a person, "everyone under" a manager),
on SQLite and on PostgreSQL.

Each database runs in a child process of its own (``python -m bench.org_bench run ...``) with
a fresh schema built by the migrations, so figures do not depend on what ran before. The
PostgreSQL database's ``public`` schema is dropped and re-created before and after the run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import DEFAULT_PG, reset_postgres

ROOT = Path(__file__).resolve().parent.parent
IMPORT_GOAL_S = 20.0
REIMPORT_GOAL_S = 10.0


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm the caches and the statement cache
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def run_backend(url: str, csv_path: Path, workdir: Path) -> dict[str, Any]:
    """Import, re-import, re-organise and query on one database; return the figures."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from clearance.app import create_app
    from clearance.extensions import db

    app = create_app({"ENV": "testing", "DATABASE_URL": url, "INSTANCE_PATH": str(workdir),
                      "SECRET_KEY": "bench-" + "x" * 40, "JOBS_BACKEND": "immediate"})
    figures: dict[str, Any] = {"backend": url.split(":", 1)[0].split("+", 1)[0]}
    runner = app.test_cli_runner()

    def cli_import(path: Path) -> None:
        result = runner.invoke(args=["people", "import", str(path)])
        if result.exit_code != 0:
            raise RuntimeError(f"import failed: {result.output[-2000:]}")

    with app.app_context():
        upgrade()
        db.session.remove()
    _, figures["import_s"], figures["import_cpu_s"] = _timed(lambda: cli_import(csv_path))
    _, figures["reimport_s"], figures["reimport_cpu_s"] = _timed(lambda: cli_import(csv_path))

    with app.app_context():
        from people import hierarchy
        from people.models import Person

        people = db.session.scalar(select(func.count()).select_from(Person))
        top_two = db.session.execute(
            select(Person.id, Person.employee_id).where(Person.depth == 1).order_by(Person.id)
            .limit(2)).all()
        # the level-2 manager with the biggest team moves to the other level-1 manager
        mover = db.session.execute(
            select(Person.employee_id, Person.path).where(Person.depth == 2,
                                                          Person.manager_id == top_two[0].id)
            .order_by(Person.id)).first()
        moved_count = db.session.scalar(select(func.count()).select_from(Person)
                                         .where(Person.path.startswith(mover.path)))
        db.session.remove()
    reorg = workdir / "reorg.csv"
    _rewrite_manager(csv_path, reorg, mover.employee_id, top_two[1].employee_id)
    _, figures["reorg_s"], figures["reorg_cpu_s"] = _timed(lambda: cli_import(reorg))
    figures["reorg_moved_people"] = moved_count

    with app.app_context():
        from people import hierarchy
        from people.models import Person

        level1 = db.session.get(Person, top_two[0].id)
        deepest = db.session.scalar(select(Person).order_by(Person.depth.desc(), Person.id)
                                    .limit(1))
        figures.update(
            people=people,
            under_count=hierarchy.count_under(level1),
            chain_length=len(hierarchy.chain_above(deepest.id)),
            chain_above_ms=_median_ms(lambda: hierarchy.chain_above(deepest.id), 50),
            count_under_ms=_median_ms(lambda: hierarchy.count_under(level1), 20),
            under_page_ms=_median_ms(lambda: hierarchy.everyone_under(level1, limit=50), 50),
            under_ids_ms=_median_ms(lambda: db.session.scalars(
                hierarchy.everyone_under_stmt(level1).with_only_columns(Person.id)).all(), 10),
            under_all_ms=_median_ms(lambda: (hierarchy.everyone_under(level1),
                                             db.session.expunge_all()), 3),
        )
        db.session.remove()
        db.engine.dispose()
    return figures


def _rewrite_manager(src: Path, dst: Path, employee_id: str, new_manager: str) -> None:
    import csv

    with src.open(newline="", encoding="utf-8") as f_in, \
            dst.open("w", newline="", encoding="utf-8") as f_out:
        reader = csv.reader(f_in)
        writer = csv.writer(f_out)
        header = next(reader)
        writer.writerow(header)
        manager_col = header.index("Manager")
        for row in reader:
            if row[0] == employee_id:
                row[manager_col] = new_manager
            writer.writerow(row)


def _child(backend: str, url: str, csv_path: Path, workdir: Path) -> dict[str, Any]:
    env = {**os.environ, "CLEARANCE_INSTANCE_PATH": str(workdir),
           "CLEARANCE_JOBS_BACKEND": "immediate", "CLEARANCE_LOG_LEVEL": "WARNING"}
    out = subprocess.run(
        [sys.executable, "-m", "bench.org_bench", "run", "--url", url, "--csv", str(csv_path),
         "--workdir", str(workdir)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{backend} benchmark failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _verdict(value: float, goal: float) -> str:
    return f"goal <= {goal:.0f} s: {'met' if value <= goal else 'MISSED'}"


def report(results: list[dict[str, Any]], people: int, generate_s: float, load: float) -> None:
    print(f"\nOrg benchmarks: {people:,} people, generated in {generate_s:.1f} s. "
          f"Wall-clock seconds (CPU seconds of the app process in brackets); "
          f"load average {load:.1f} before the run, {os.getloadavg()[0]:.1f} after, on "
          f"{os.cpu_count()} CPUs.")
    for r in results:
        print(f"\n== {r['backend']} ==")
        print(f"import from CSV ({r['people']:,} new people)   {r['import_s']:6.1f} s "
              f"({r['import_cpu_s']:.1f})"
              + (f"   {_verdict(r['import_s'], IMPORT_GOAL_S)}" if r["backend"] == "sqlite"
                 else ""))
        print(f"re-import, file unchanged             {r['reimport_s']:6.1f} s "
              f"({r['reimport_cpu_s']:.1f})"
              + (f"   {_verdict(r['reimport_s'], REIMPORT_GOAL_S)}"
                 if r["backend"] == "sqlite" else ""))
        print(f"re-import, one level-2 manager moves  {r['reorg_s']:6.1f} s "
              f"({r['reorg_cpu_s']:.1f})   {r['reorg_moved_people']:,} paths rewritten")
        print(f"chain above the deepest person        {r['chain_above_ms']:8.2f} ms "
              f"({r['chain_length']} managers, recursive CTE)")
        print(f"everyone under a level-1 manager:     {r['under_count']:,} active people")
        print(f"  count                               {r['count_under_ms']:8.2f} ms")
        print(f"  first page of 50                    {r['under_page_ms']:8.2f} ms")
        print(f"  all ids                             {r['under_ids_ms']:8.2f} ms")
        print(f"  all as Person objects               {r['under_all_ms']:8.2f} ms")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    child = sub.add_parser("run", help=argparse.SUPPRESS)
    child.add_argument("--url", required=True)
    child.add_argument("--csv", type=Path, required=True)
    child.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--depth", type=int, default=10)
    parser.add_argument("--pg-url", default=os.environ.get("CLEARANCE_BENCH_PG_URL", DEFAULT_PG),
                        help=f"PostgreSQL database to use; its public schema is dropped "
                             f"(default {DEFAULT_PG})")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)

    if args.command == "run":
        print(json.dumps(run_backend(args.url, args.csv, args.workdir)))
        return

    from bench.generate_org import write_file

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="clearance-bench-") as tmp:
        root = Path(tmp)
        csv_path = root / "org.csv"
        _, generate_s, _ = _timed(lambda: write_file(csv_path, args.people, depth=args.depth))
        results = []
        sqlite_dir = root / "sqlite"
        sqlite_dir.mkdir()
        results.append(_child("sqlite", f"sqlite:///{sqlite_dir / 'bench.db'}", csv_path,
                              sqlite_dir))
        if not args.no_pg:
            pg_dir = root / "pg"
            pg_dir.mkdir()
            reset_postgres(args.pg_url)
            try:
                results.append(_child("postgresql", args.pg_url, csv_path, pg_dir))
            finally:
                reset_postgres(args.pg_url)
        report(results, args.people, generate_s, load)


if __name__ == "__main__":
    main()
