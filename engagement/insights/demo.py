"""Demo looks for the learning funnel (``flask demo seed``, order 62, after the year of activity).

Looks are made to fit the enrolments already in the demo: most people who enrolled themselves
in the last twelve months looked first (the widget or the catalogue a few days before, the
programme's page on the day), some enrolled without a recorded look (a link in an e-mail), and
many more people looked and never enrolled. Some assigned learners open their programme's page
after being enrolled. Rows are built in memory from two queries and written with one bulk
insert; rows that already exist (the same person, kind, programme and day) are left alone.

Managers who did not enrol see the widget and the catalogue but open no elective programme's
page: opening one is elective learning activity for the manager engagement KPI, and which
managers engage, and when, is the year's plan (:mod:`engagement.demo_managers`).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from checkpoints.models import Enrolment, Programme
from clearance.cli import register_demo_seeder
from clearance.database import utcnow
from clearance.extensions import db
from engagement.events import _row
from engagement.models import (
    CATALOGUE_VIEW,
    EVERYONE,
    MANAGERS,
    PROGRAMME_VIEW,
    WIDGET_VIEW,
    EngagementEvent,
)
from people.models import Person

register_demo_seeder(62, "engagement.insights.demo:seed_looks")

DAYS = 365
LOOKED_FIRST = 0.85      # self-enrolments preceded by a look
BROWSERS = 0.45          # share of people (never enrolled) who looked at least once
#: ... and opened an elective programme (managers: none, see the module's docstring)
BROWSER_OPENED = {MANAGERS: 0.0, EVERYONE: 0.35}
ASSIGNED_OPENED = 0.6    # assigned learners who opened their programme's page


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(7, 18), rng.randint(0, 59)),
                               tzinfo=dt.UTC)


def seed_looks(summary: dict[str, Any]) -> None:
    """Looks over the last 12 months, consistent with the demo's enrolments."""
    if summary.get("skipped_people"):
        return
    rng = random.Random(6262)
    now = utcnow()
    today = now.date()
    first = today - dt.timedelta(days=DAYS - 1)
    report = Person.__table__.alias("report")
    managers = set(db.session.scalars(
        select(report.c.manager_id).where(report.c.active.is_(True),
                                          report.c.manager_id.is_not(None)).distinct()))
    people = list(db.session.scalars(select(Person.id).where(Person.active.is_(True))
                                     .order_by(Person.id)))
    if not people:
        return
    enrolments = db.session.execute(
        select(Enrolment.person_id, Enrolment.programme_id, Enrolment.source,
               Enrolment.enrolled_at)
        .where(Enrolment.enrolled_at >= dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC))
        .order_by(Enrolment.id)).all()
    electives = list(db.session.scalars(
        select(Programme.id).where(Programme.kind == "elective",
                                   Programme.status == "published").order_by(Programme.id)))

    rows: dict[str, dict[str, Any]] = {}

    def add(kind: str, person_id: int, day: dt.date, programme_id: int | None = None) -> None:
        if day < first or day > today:
            return
        audience = MANAGERS if person_id in managers else EVERYONE
        row = _row(kind, person_id, programme_id, None, audience, _at(day, rng))
        if row["dedupe_key"] in rows:
            rows[row["dedupe_key"]]["count"] += 1
        else:
            rows[row["dedupe_key"]] = row

    enrolled = set()
    for person_id, programme_id, source, enrolled_at in enrolments:
        enrolled.add(person_id)
        day = enrolled_at.date()
        if source == "self":
            if rng.random() < LOOKED_FIRST:
                add(rng.choice((CATALOGUE_VIEW, CATALOGUE_VIEW, WIDGET_VIEW)), person_id,
                    day - dt.timedelta(days=rng.randint(0, 10)))
                add(PROGRAMME_VIEW, person_id, day - dt.timedelta(days=rng.randint(0, 2)),
                    programme_id)
        elif rng.random() < ASSIGNED_OPENED:
            add(PROGRAMME_VIEW, person_id, day + dt.timedelta(days=rng.randint(0, 6)),
                programme_id)

    browsers = 0
    for person_id in people:
        if person_id in enrolled or rng.random() >= BROWSERS:
            continue
        browsers += 1
        for _ in range(rng.randint(1, 5)):
            add(rng.choice((CATALOGUE_VIEW, WIDGET_VIEW, WIDGET_VIEW)), person_id,
                first + dt.timedelta(days=rng.randint(0, DAYS - 1)))
        audience = MANAGERS if person_id in managers else EVERYONE
        if electives and rng.random() < BROWSER_OPENED[audience]:
            add(PROGRAMME_VIEW, person_id, first + dt.timedelta(days=rng.randint(0, DAYS - 1)),
                rng.choice(electives))

    if rows:
        dialect = db.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(EngagementEvent.__table__).on_conflict_do_nothing(
            index_elements=["dedupe_key"])
        db.session.execute(stmt, list(rows.values()))
        db.session.flush()
    line = (f"Looks: {len(rows)} (catalogue, widget and programme pages over the last "
            f"{DAYS} days; {browsers} people looked without enrolling).")
    summary["report"] = summary.get("report", "") + "\n" + line
