"""Funnel and results pages: ``python -m bench.engagement_bench [--people 20000] [--no-pg]``.

For each database: an org of ``--people`` people (through ``flask people import``), twelve
programmes of three summative checkpoints (one of them decided at two levels) and a year of
activity, all bulk Core inserts with ids chosen up front: looks (the widget or the catalogue on
some days, programme pages for about half of people), self-enrolments for about a third of
people and assignments for a fifth, submissions worked through in order with the line manager's
decision (mostly 2 to 10 days, some weeks; changes asked for on some, then resubmitted) and the
skip-level manager's where the checkpoint asks, a sampling record for every decision, a
spot-check with a verdict on about one in ten, completions, a level-3 application check after
every final approval and pulse answers for a third of decisions. Then, signed in as L&D through
the in-process WSGI client: requests per second for the learning funnel (``/insights/funnel``:
everyone, managers, one programme, and its CSV), the manager engagement page
(``/insights/managers``) and the results page (this year, and the last 12 months) beside a
bare Flask route doing one indexed query on the same database, the SQL statements each page
runs with a tenth of the activity and with all of it, and the PDF summary once (seconds and size).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bench.common import (
    PASSWORD,
    add_child_parser,
    add_common_options,
    backend_name,
    bare_rate,
    bench_app,
    bulk_insert,
    dispose,
    each_backend,
    fix_sequences,
    import_org,
    page_line,
    rate,
    run_child,
    sign_in,
    statements_for,
)

PAGES = {"funnel": "/insights/funnel", "funnel_managers": "/insights/funnel?audience=managers",
         "funnel_programme": "/insights/funnel?programme=1",
         "funnel_csv": "/insights/funnel.csv", "managers": "/insights/managers",
         "results": "/results", "results_12m": "/results?period=12m"}
PDF = "/results/summary.pdf?period=12m"
TABLES = ("engagement_event", "enrolment", "submission", "submission_version", "approval_step",
          "decision", "spot_check_sampling", "spot_check", "application_check")
DAY = dt.timedelta(days=1)


def wait(rng: random.Random) -> dt.timedelta:
    """An approver's time to decide: mostly 2 to 10 days, some the same day, some weeks."""
    r = rng.random()
    days = rng.uniform(0.1, 2) if r < 0.12 else rng.uniform(2, 10) if r < 0.9 \
        else rng.uniform(12, 40)
    return dt.timedelta(days=days)


class Generator:
    """A year of activity for the next slice of people at each call."""

    def __init__(self, people: list[tuple[int, int | None]], programmes: dict[int, list[Any]],
                 electives: list[int], mandatory: list[int], ld_id: int,
                 rng: random.Random) -> None:
        managers = dict(people)
        #: (person, line manager, skip-level manager) of everyone with both
        self.people = [(p, m, managers.get(m)) for p, m in people
                       if m is not None and managers.get(m) is not None]
        self.programmes, self.electives, self.mandatory = programmes, electives, mandatory
        self.ld_id, self.rng = ld_id, rng
        self.ids: dict[str, int] = defaultdict(lambda: 1)
        self.done = 0

    def _id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def add(self, share: float) -> None:
        from approvals.models import ApprovalStep, Decision
        from approvals.spot_checks.models import SpotCheck, SpotCheckSampling
        from checkpoints.models import Enrolment
        from clearance.database import utcnow
        from engagement.application.models import ApplicationCheck
        from engagement.events import _row
        from engagement.models import CATALOGUE_VIEW, PROGRAMME_VIEW, WIDGET_VIEW, EngagementEvent
        from engagement.pulse.models import PulseResponse
        from portfolios.models import Submission, SubmissionVersion

        rng, self.now = self.rng, utcnow()
        out: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        self.out = out
        looks: dict[str, dict[str, Any]] = {}
        upto = min(len(self.people), self.done + round(len(self.people) * share))
        for pid, manager, skip in self.people[self.done:upto]:
            for _ in range(rng.randint(0, 20)):
                self._look(looks, _row, rng.choice((CATALOGUE_VIEW, WIDGET_VIEW)), pid, None)
            if rng.random() < 0.5:
                for _ in range(rng.randint(1, 4)):
                    self._look(looks, _row, PROGRAMME_VIEW, pid, rng.choice(self.electives))
            chosen = rng.sample(self.electives, rng.randint(1, 2)) if rng.random() < 0.33 else []
            for programme in chosen:
                self._enrol(pid, manager, skip, programme, "self")
            if rng.random() < 0.2:
                self._enrol(pid, manager, skip, rng.choice(self.mandatory), "assigned")
        self.done = upto
        out["engagement_event"].extend(looks.values())
        for model in (EngagementEvent, Enrolment, Submission, SubmissionVersion, ApprovalStep,
                      Decision, SpotCheckSampling, SpotCheck, ApplicationCheck, PulseResponse):
            rows = out.get(model.__tablename__, [])
            keys = set().union(*rows) if rows else set()
            bulk_insert(model.__table__, [dict.fromkeys(keys) | row for row in rows])

    def _look(self, looks: dict[str, Any], make_row: Any, kind: str, pid: int,
              programme: int | None) -> None:
        at = self.now - dt.timedelta(days=self.rng.uniform(0, 364))
        row = make_row(kind, pid, programme, None, "everyone", at)
        if row["dedupe_key"] not in looks:
            looks[row["dedupe_key"]] = {"id": self._id("engagement_event"), **row}

    def _enrol(self, pid: int, manager: int, skip: int, programme: int, source: str) -> None:
        rng, now = self.rng, self.now
        enrolled = now - dt.timedelta(days=rng.uniform(0, 380))
        row = {"id": self._id("enrolment"), "person_id": pid, "programme_id": programme,
               "source": source, "status": "active", "enrolled_at": enrolled,
               "assigned_by_id": self.ld_id if source == "assigned" else None}
        self.out["enrolment"].append(row)
        at, finished = enrolled + dt.timedelta(days=rng.uniform(1, 14)), None
        for cp in self.programmes[programme]:
            if rng.random() < 0.15:
                return
            finished = self._checkpoint(pid, manager, skip, cp, at)
            if finished is None:
                return
            at = finished + dt.timedelta(days=rng.uniform(1, 20))
        row.update(status="completed", completed_at=finished)

    def _checkpoint(self, pid: int, manager: int, skip: int, cp: Any, start: dt.datetime
                    ) -> dt.datetime | None:
        """Versions and decisions until approved; None while it would still be waiting."""
        rng, limit, out = self.rng, self.now - dt.timedelta(hours=6), self.out
        plan, submitted = [], start
        while submitted < limit:
            changes = not plan and rng.random() < 0.18
            end = submitted + wait(rng)
            levels = [(1, manager, submitted, end, "changes_requested" if changes else "approved")]
            if not changes and cp.approval_levels == 2:
                levels.append((2, skip, end, end := end + wait(rng), "approved"))
            if end > limit:
                break
            plan.append((submitted, levels, end))
            if not changes:
                break
            submitted = end + dt.timedelta(days=rng.uniform(2, 12))
        if not plan:
            return None
        approved = plan[-1][1][-1][-1] == "approved"
        sid = self._id("submission")
        out["submission"].append({
            "id": sid, "person_id": pid, "checkpoint_id": cp.id, "version_count": len(plan),
            "state": "approved" if approved else "changes_requested",
            "created_at": start, "state_changed_at": plan[-1][2], "submitted_at": plan[-1][0]})
        for number, (at, levels, end) in enumerate(plan, start=1):
            vid = self._id("submission_version")
            out["submission_version"].append({
                "id": vid, "submission_id": sid, "number": number, "submitted_at": at,
                "submitted_by_id": pid, "content_hash": "0" * 64,
                "outcome": levels[-1][-1], "outcome_at": end})
            for level, approver, reached, decided, outcome in levels:
                self._decision(sid, vid, pid, cp, level, approver, reached, decided, outcome)
        if not approved:
            return None
        final = plan[-1][2]
        out["application_check"].append({
            "id": self._id("application_check"), "submission_id": sid, "learner_id": pid,
            "checkpoint_id": cp.id, "programme_id": cp.programme_id, "manager_id": manager,
            "approved_at": final, "days": 60, "due_on": (final + 60 * DAY).date(),
            "created_at": final, "note": "", "measure_name": "", "measure_unit": "",
            **({"answer": rng.choice(("yes", "yes", "partly", "not_yet")),
                "answered_at": final + 65 * DAY, "answered_by_id": manager}
               if final + 65 * DAY < self.now and rng.random() < 0.8 else {})})
        return final

    def _decision(self, sid: int, vid: int, pid: int, cp: Any, level: int, approver: int,
                  reached: dt.datetime, decided: dt.datetime, outcome: str) -> None:
        rng, out = self.rng, self.out
        step, did = self._id("approval_step"), self._id("decision")
        out["approval_step"].append({
            "id": step, "version_id": vid, "submission_id": sid, "learner_id": pid,
            "level": level, "approver_id": approver, "status": "decided",
            "reason": "line manager" if level == 1 else "skip-level manager",
            "escalations": 0, "lock_version": 2, "created_at": reached, "closed_at": decided})
        out["decision"].append({
            "id": did, "step_id": step, "version_id": vid, "submission_id": sid,
            "learner_id": pid, "level": level, "outcome": outcome,
            "overall_feedback": "Good work. " * 12, "justification": "",
            "content_hash": "0" * 64, "decided_at": decided, "decided_by_id": approver,
            "acting_reason": ""})
        sampled = rng.random() < 0.1
        out["spot_check_sampling"].append({
            "id": self._id("spot_check_sampling"), "decision_id": did, "approver_id": approver,
            "unit": "", "programme_id": cp.programme_id, "decided_at": decided,
            "outcome": outcome, "draw": rng.random(), "rate": 0.1, "sampled": sampled,
            "reasons": ["rate"] if sampled else [], "facts": {"decision_id": did},
            "seed_ref": "bench", "feedback_chars": 120,
            "hours_to_decision": (decided - reached).total_seconds() / 3600})
        if sampled:
            done = decided + 5 * DAY < self.now
            out["spot_check"].append({
                "id": self._id("spot_check"), "decision_id": did, "submission_id": sid,
                "learner_id": pid, "approver_id": approver, "unit": "",
                "programme_id": cp.programme_id, "decided_at": decided, "origin": "sampled",
                "primary_reason": "rate", "created_at": decided,
                "status": "done" if done else "open",
                "verdict": rng.choice(["agree"] * 8 + ["concern", "overturn"]) if done else None,
                "verdict_at": decided + 5 * DAY if done else None,
                "verdict_by_id": self.ld_id if done else None, "ld_feedback": "",
                "approver_feedback": "", "learner_message": "", "internal_notes": ""})
        if rng.random() < 0.33:
            out["pulse_response"].append({
                "id": f"b{did:031d}"[:32], "programme_id": cp.programme_id,
                "checkpoint_kind": "summative", "approver_level": level,
                "month": decided.date().replace(day=1), "chose_activities": rng.random() < 0.4,
                "chose_formative": rng.random() < 0.3, "chose_summative": rng.random() < 0.4,
                "chose_feedback": rng.random() < 0.6, "usefulness": rng.randint(2, 5),
                "feedback_helped": rng.randint(2, 5)})


def _load(generator: Generator, share: float) -> float:
    from sqlalchemy import text

    from clearance.database import commit
    from clearance.extensions import db

    start = time.perf_counter()
    generator.add(share)
    fix_sequences(TABLES)
    commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - start


def _setup(figures: dict[str, Any]) -> tuple[Generator, str]:
    from sqlalchemy import select

    from checkpoints.models import Checkpoint, Programme
    from clearance.extensions import db
    from clearance.passwords import hash_password
    from people.models import Person, PersonRole

    ld = db.session.scalar(select(Person).where(Person.depth == 1).order_by(Person.id).limit(1))
    ld.password_hash = hash_password(PASSWORD)
    db.session.add(PersonRole(person_id=ld.id, role="ld"))
    programmes: dict[int, list[Any]] = {}
    electives, mandatory = [], []
    for n in range(12):
        kind = "mandatory" if n >= 10 else "elective"
        prog = Programme(title=f"Bench programme {n + 1}", summary="", theme="Bench",
                         audience="everyone", kind=kind, open_in_catalogue=kind == "elective",
                         status="published")
        db.session.add(prog)
        db.session.flush()
        (mandatory if kind == "mandatory" else electives).append(prog.id)
        programmes[prog.id] = []
        for position in range(1, 4):
            cp = Checkpoint(programme_id=prog.id, position=position, kind="summative",
                            title=f"Checkpoint {n + 1}.{position}",
                            approval_levels=2 if position == 3 else 1)
            db.session.add(cp)
            db.session.flush()
            programmes[prog.id].append(SimpleNamespace(id=cp.id, programme_id=prog.id,
                                                       approval_levels=cp.approval_levels))
    people = [tuple(r) for r in db.session.execute(select(Person.id, Person.manager_id))]
    figures["people"] = len(people)
    return Generator(people, programmes, electives, mandatory, ld.id, random.Random(58)), \
        ld.email


def run_backend(url: str, csv_path: Path, workdir: Path, seconds: float) -> dict[str, Any]:
    from sqlalchemy import func, select

    from approvals.models import Decision
    from approvals.spot_checks.models import SpotCheck
    from checkpoints.models import Enrolment
    from clearance.extensions import db
    from engagement.models import EngagementEvent

    app = bench_app(url, workdir)
    figures: dict[str, Any] = {"backend": backend_name(url)}
    import_org(app, csv_path)
    with app.app_context():
        generator, ld_email = _setup(figures)
        first = _load(generator, 0.1)
        db.session.remove()
    client = sign_in(app, ld_email)
    small = {name: statements_for(app, client, path) for name, path in PAGES.items()}
    with app.app_context():
        figures["generate_seconds"] = first + _load(generator, 1.0)
        for key, model in (("events", EngagementEvent), ("enrolments", Enrolment),
                           ("decisions", Decision), ("checks", SpotCheck)):
            figures[key] = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
    large = {name: statements_for(app, client, path) for name, path in PAGES.items()}
    figures["statements"] = {name: [small[name], large[name]] for name in PAGES}
    start = time.perf_counter()
    response = client.get(PDF)
    assert response.status_code == 200, response.status_code
    figures["pdf_seconds"], figures["pdf_bytes"] = time.perf_counter() - start, len(response.data)
    figures["bare_rps"] = bare_rate(url, seconds)
    for name, path in PAGES.items():
        figures[f"{name}_rps"] = rate(lambda p=path: client.get(p), seconds)
    dispose(app)
    return figures


def _child(url: str, csv_path: Path, workdir: Path, seconds: float) -> dict[str, Any]:
    return run_child("bench.engagement_bench",
                     ["--url", url, "--csv", str(csv_path), "--workdir", str(workdir),
                      "--seconds", str(seconds)])


def report(results: list[dict[str, Any]], load: float) -> None:
    print(f"Insights and results pages (load average at start {load:.2f}; in-process WSGI, "
          "one client)")
    for r in results:
        print(f"\n== {r['backend']}: {r['people']:,} people, a year of activity: "
              f"{r['events']:,} look rows, {r['enrolments']:,} enrolments, {r['decisions']:,} "
              f"decisions, {r['checks']:,} spot-checks; generated in "
              f"{r['generate_seconds']:.1f} s")
        print(f"  bare Flask route, one indexed query : {r['bare_rps']:8.1f} requests/s")
        for name, path in PAGES.items():
            print(page_line(path, r[f"{name}_rps"], r["bare_rps"], r["statements"][name],
                            small_label="a tenth of the activity", large_label="all of it"))
        print(f"  {PDF:<34}: {r['pdf_seconds']:.2f} s, {r['pdf_bytes'] / 1024:.0f} KiB "
              "(once, rendered in a time- and memory-limited child process)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.engagement_bench",
                                     description=__doc__.splitlines()[0])
    add_child_parser(parser)
    add_common_options(parser)
    args = parser.parse_args(argv)
    if args.command == "run":
        print(json.dumps(run_backend(args.url, args.csv, args.workdir, args.seconds)))
        return
    results, load = each_backend(
        args, lambda url, csv_path, workdir: _child(url, csv_path, workdir, args.seconds),
        prefix="clearance-engagement-bench-")
    report(results, load)


if __name__ == "__main__":
    main()
