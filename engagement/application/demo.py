"""Demo application checks (``flask demo seed``, order 64: after the year of activity at 58).

Every finally approved summative submission gets its check (the earlier seeds' decisions went
through the approval hand-off and already have one; the year of activity was bulk-inserted
and has none), dated from its approving decision as the product would have done. Checks that
came due more than a week ago are mostly answered by the learner's line manager, with a mix
that differs by programme (some programmes change practice more than others), a note and now
and then a business measure; the rest are waiting or overdue. Tom Williams (the browser tests'
manager) has one check of his team due now, left open.

Set-based: one read of the approved work, one bulk insert, one bulk update; one audit event
(``demo.application_checks_seeded``) stands for the rows, as the year of activity does.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, insert, select, update

from approvals.models import Decision
from checkpoints.models import Checkpoint
from clearance import audit
from clearance.database import as_utc, utcnow
from clearance.extensions import db
from engagement.application.models import ApplicationCheck
from people.models import Person, email_key
from portfolios.models import Submission

MANAGER = "tom.williams@northfield.example"
ANSWERED_AFTER_DAYS = 7   # checks due longer ago than this are usually answered
ANSWER_RATE = 0.85
NOTES = {
    "yes": ["Uses it every shift now; the team has started copying it.",
            "I have seen this in practice several times this month without prompting.",
            "Leads it confidently and has shown two newer colleagues how."],
    "partly": ["Does it on quieter shifts; under pressure falls back to old habits.",
               "Applies most of it; we agreed to focus on the escalation part.",
               "Good when I am on the ward, less consistent on nights."],
    "not_yet": ["Has not had the chance yet: moved to days only last month.",
                "We talked about it; we will plan an opportunity in the next rota.",
                ""],
}
MEASURES = [("Handover incidents per month", "per month", (0, 4)),
            ("Missed observations per week", "per week", (0, 6)),
            ("Falls per 1,000 bed days", "", (2, 7)),
            ("Team huddles led this month", "", (1, 8))]


def _check_days(checkpoint: Any) -> int:
    if checkpoint.application_check_days is not None:
        return int(checkpoint.application_check_days)
    return int(current_app.config.get("APPLICATION_CHECK_DAYS", 60))


def _approved_work() -> list[tuple[Any, ...]]:
    """(submission, learner, learner's manager, checkpoint, approving decision id, decided at)
    for each approved summative submission: its latest approving decision."""
    latest = (select(Decision.submission_id, Decision.id, Decision.decided_at)
              .where(Decision.outcome == "approved")
              .order_by(Decision.submission_id, Decision.decided_at.desc(),
                        Decision.level.desc(), Decision.id.desc()))
    decisions: dict[int, tuple[int, dt.datetime]] = {}
    for submission_id, decision_id, decided_at in db.session.execute(latest):
        decisions.setdefault(submission_id, (decision_id, decided_at))
    rows = db.session.execute(
        select(Submission.id, Submission.person_id, Person.manager_id, Checkpoint,
               Submission.state_changed_at)
        .join(Person, Person.id == Submission.person_id)
        .join(Checkpoint, Checkpoint.id == Submission.checkpoint_id)
        .where(Submission.state == "approved", Checkpoint.kind == "summative",
               Person.active.is_(True))).all()
    return [(sid, pid, mid, cp, *decisions.get(sid, (None, changed)))
            for sid, pid, mid, cp, changed in rows]


def seed_application_checks(summary: dict[str, Any]) -> None:
    if summary.get("skipped_people"):
        return
    if db.session.scalar(select(ApplicationCheck.id)
                         .where(ApplicationCheck.answered_at.is_not(None)).limit(1)):
        return  # seeded before
    rng = random.Random(6464)
    now = utcnow()
    today = now.date()
    tom = db.session.scalar(select(Person.id).where(Person.email_key == email_key(MANAGER)))
    existing: dict[int, int] = {}
    for sid, cid in db.session.execute(select(ApplicationCheck.submission_id,
                                              ApplicationCheck.id)):
        existing[sid] = cid
    next_id = max(existing.values(), default=0) + 1
    new_rows: list[dict[str, Any]] = []
    all_rows: list[dict[str, Any]] = []
    for sid, learner_id, manager_id, checkpoint, decision_id, decided_at in _approved_work():
        days = _check_days(checkpoint)
        if days <= 0 or manager_id is None:
            continue
        approved_at = as_utc(decided_at) or now
        row = {"id": existing.get(sid, next_id), "submission_id": sid,
               "learner_id": learner_id, "checkpoint_id": checkpoint.id,
               "programme_id": checkpoint.programme_id, "decision_id": decision_id,
               "manager_id": manager_id, "approved_at": approved_at, "days": days,
               "due_on": approved_at.date() + dt.timedelta(days=days), "created_at": approved_at,
               "notified_at": None, "notified_manager_id": None, "answer": None, "note": "",
               "measure_name": "", "measure_value": None, "measure_unit": "",
               "answered_at": None, "answered_by_id": None}
        if sid not in existing:
            next_id += 1
            new_rows.append(row)
        all_rows.append(row)
    _tom_has_one_due(all_rows, tom, today)
    yes_rate = _programme_mix(all_rows, rng)
    answered = 0
    for row in all_rows:
        manager_id = row["manager_id"]
        if row["due_on"] > today:
            continue
        due_at = dt.datetime.combine(row["due_on"], dt.time(7, 10), tzinfo=dt.UTC)
        if row["due_on"] < today and manager_id != tom:  # Tom's is told by the job
            row.update(notified_at=due_at, notified_manager_id=manager_id)
        if (today - row["due_on"]).days <= ANSWERED_AFTER_DAYS or manager_id == tom \
                or rng.random() > ANSWER_RATE:
            continue
        _answer(row, rng, yes_rate[row["programme_id"]], now)
        answered += 1
    if new_rows:
        db.session.execute(insert(ApplicationCheck), new_rows)
    changed = [r for r in all_rows if r["submission_id"] in existing]
    if changed:
        table = ApplicationCheck.__table__
        keys = ("approved_at", "days", "due_on", "created_at", "notified_at",
                "notified_manager_id", "answer", "note", "measure_name", "measure_value",
                "measure_unit", "answered_at", "answered_by_id", "decision_id")
        db.session.connection().execute(
            update(table).where(table.c.id == bindparam("row_id"))
            .values({k: bindparam(f"v_{k}") for k in keys}),
            [{"row_id": r["id"], **{f"v_{k}": r[k] for k in keys}} for r in changed])
    db.session.flush()
    db.session.expire_all()
    due = sum(1 for r in all_rows if r["due_on"] <= today)
    audit.record("demo.application_checks_seeded", object_type="application_check",
                 after={"checks": len(all_rows), "inserted": len(new_rows),
                        "redated": len(changed), "answered": answered, "due": due},
                 reason="demo seed: back-dated rows stand for the past, so one event stands "
                        "for them instead of one per row")
    summary["report"] = (summary.get("report", "") + f"\nApplication checks: {len(all_rows)} "
                         f"({due} due, {answered} answered by line managers).").lstrip("\n")


def _tom_has_one_due(rows: list[dict[str, Any]], tom: int | None, today: dt.date) -> None:
    """The browser tests' manager gets one check of his team that came due two days ago."""
    if tom is None:
        return
    mine = sorted((r for r in rows if r["manager_id"] == tom), key=lambda r: r["due_on"])
    if not mine or mine[0]["due_on"] <= today:
        return
    row = mine[0]
    row["due_on"] = today - dt.timedelta(days=2)
    row["approved_at"] = row["created_at"] = dt.datetime.combine(
        row["due_on"] - dt.timedelta(days=row["days"]), dt.time(10), tzinfo=dt.UTC)


def _programme_mix(rows: list[dict[str, Any]], rng: random.Random) -> dict[int, float]:
    """Each programme's chance of "yes" (the rest split between partly and not yet)."""
    return {pid: rng.choice((0.3, 0.4, 0.5, 0.6, 0.7))
            for pid in sorted({r["programme_id"] for r in rows})}


def _answer(row: dict[str, Any], rng: random.Random, yes: float, now: dt.datetime) -> None:
    r = rng.random()
    answer = "yes" if r < yes else ("partly" if r < yes + (1 - yes) * 0.65 else "not_yet")
    when = dt.datetime.combine(row["due_on"], dt.time(9), tzinfo=dt.UTC) + dt.timedelta(
        days=rng.randint(0, 6), hours=rng.randint(0, 8))
    row.update(answer=answer, note=rng.choice(NOTES[answer]), answered_at=min(when, now),
               answered_by_id=row["manager_id"])
    if rng.random() < 0.25:
        name, unit, (low, high) = rng.choice(MEASURES)
        row.update(measure_name=name, measure_unit=unit,
                   measure_value=Decimal(rng.randint(low, high)))
