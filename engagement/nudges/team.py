"""The weekly nudge for line managers: their direct reports' overdue checkpoints. Reads only.

A checkpoint is overdue for a report exactly when the learner's own overdue rule says so (the
same open-checkpoint query and ``checkpoints.queries.due_date``: not sent in, an active
enrolment in a released, published programme, due date before today), but without the
learner's four-reminder limit: once the learner's reminders have stopped, the manager is the
one who can still help. Only active reports of an active line manager count.

Once per ISO week per manager (period ``2026-W12``), on their digest day (the working day
before their usual one-to-one day, ``NUDGE_DIGEST_DEFAULT_WEEKDAY`` without series) or, if it
could not go then (quiet hours, the worker down), on a later day of that week. Managers already
told this week are left out of the query, so the week's remaining hourly runs stay cheap.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from clearance.extensions import db
from clearance.urls import local_path
from engagement.nudges.config import NudgeConfig
from engagement.nudges.delivery import Nudge
from engagement.nudges.models import TEAM_OVERDUE, NudgeDelivery
from engagement.nudges.rules import (
    digest_weekdays,
    long_date,
    open_checkpoints_stmt,
    with_due_dates,
)
from people.models import Person

SUBJECT = "team"


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def team_overdue(now: dt.datetime, cfg: NudgeConfig) -> list[Nudge]:
    """Each line manager whose digest day has come this week and whose active direct reports
    have overdue checkpoints: one nudge listing each report, checkpoint and days overdue."""
    today = cfg.today(now)
    week = iso_week(today)
    manager = aliased(Person)
    told = select(NudgeDelivery.id).where(
        NudgeDelivery.person_id == Person.manager_id, NudgeDelivery.kind == TEAM_OVERDUE,
        NudgeDelivery.subject == SUBJECT, NudgeDelivery.period == week)
    stmt = (open_checkpoints_stmt(today)
            .add_columns(Person.manager_id, Person.name.label("report_name"))
            .join(manager, and_(manager.id == Person.manager_id, manager.active.is_(True)))
            .where(~told.exists()))
    days = digest_weekdays(cfg)
    late: dict[int, list[tuple[Any, dt.date]]] = defaultdict(list)
    for row, due in with_due_dates(list(db.session.execute(stmt))):
        if due < today and days.get(row.manager_id, cfg.digest_weekday) <= today.weekday():
            late[row.manager_id].append((row, due))
    link = local_path("approvals.team")
    out = []
    for manager_id in sorted(late):
        reports: dict[int, dict[str, Any]] = {}
        for row, due in sorted(late[manager_id],
                               key=lambda rd: (rd[0].report_name, rd[0].person_id, rd[1],
                                               rd[0].checkpoint_title)):
            report = reports.setdefault(row.person_id, {"name": row.report_name, "items": []})
            report["items"].append({
                "title": row.checkpoint_title, "programme": row.programme_title,
                "due": long_date(due), "days_late": (today - due).days})
        count = sum(len(r["items"]) for r in reports.values())
        people = len(reports)
        out.append(Nudge(
            manager_id, TEAM_OVERDUE, SUBJECT, week,
            f"{count} checkpoint{'s' if count != 1 else ''} of {people} "
            f"{'people' if people != 1 else 'person'} in your team "
            f"{'are' if count != 1 else 'is'} overdue.",
            link, {"reports": list(reports.values()), "count": count},
            mail_subject=f"Your team: {count} overdue checkpoint{'s' if count != 1 else ''}"))
    return out
