"""Every write of the level-3 application check: scheduling it at the final approval, the line
manager's answer (exactly once), and the due notices. Flush, never commit; one audit event per
change."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from approvals.models import Decision
from clearance import audit
from clearance.database import as_utc, utcnow
from clearance.extensions import db
from clearance.mail import queue_mail
from clearance.notifications import notify
from clearance.urls import local_path
from engagement.application.models import ANSWER_LABELS, ANSWERS, ApplicationCheck
from people.models import Person

NOTE_MAX, MEASURE_NAME_MAX, MEASURE_UNIT_MAX = 2000, 200, 60
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class AnswerRefused(ValueError):
    """The answer cannot be saved as sent; ``field`` names the form field to fix."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class AnswerConflict(RuntimeError):
    """Someone already answered, or the check is not (or no longer) this person's (409)."""


def today() -> dt.date:
    return utcnow().date()


def check_days(checkpoint: Any) -> int:
    """The checkpoint's own days, else the ``APPLICATION_CHECK_DAYS`` setting (0: no check)."""
    if checkpoint.application_check_days is not None:
        return int(checkpoint.application_check_days)
    return int(current_app.config.get("APPLICATION_CHECK_DAYS", 60))


# ---------------------------------------------------------------- scheduling


def _final_decision(version_id: int | None) -> Decision | None:
    if version_id is None:
        return None
    return db.session.scalar(
        select(Decision).where(Decision.version_id == version_id,
                               Decision.outcome == "approved")
        .order_by(Decision.level.desc(), Decision.id.desc()).limit(1))


def schedule_for_approval(submission: Any, version: Any) -> ApplicationCheck | None:
    """The portfolios hand-off after a final approval: a summative checkpoint with a positive
    number of days gets one check, due that many days after the approval, for the learner's
    line manager. None when there is nothing to ask (formative, 0 days, no line manager, or the
    submission already has its check: a re-approval after a reopen keeps the first)."""
    checkpoint = submission.checkpoint
    if checkpoint.kind != "summative":
        return None
    days = check_days(checkpoint)
    if days <= 0:
        return None
    learner = db.session.get(Person, submission.person_id)
    if learner is None or learner.manager_id is None:
        return None
    decision = _final_decision(version.id if version is not None else None)
    approved_at = as_utc(decision.decided_at) if decision is not None else utcnow()
    # One check per submission (unique): an INSERT that does nothing when the submission has
    # its check already (a re-approval after a reopen, or two approvals at once), and returns
    # the new row otherwise.
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    check = db.session.scalar(
        insert(ApplicationCheck).values(
            submission_id=submission.id, learner_id=learner.id, checkpoint_id=checkpoint.id,
            programme_id=checkpoint.programme_id,
            decision_id=decision.id if decision is not None else None,
            manager_id=learner.manager_id, approved_at=approved_at, days=days,
            due_on=approved_at.date() + dt.timedelta(days=days), created_at=utcnow(),
            note="", measure_name="", measure_unit="")
        .on_conflict_do_nothing(index_elements=["submission_id"])
        .returning(ApplicationCheck))
    if check is None:
        return None
    audit.record("application_check.scheduled", obj=check,
                 after={"submission_id": submission.id, "manager_id": check.manager_id,
                        "days": days, "due_on": check.due_on.isoformat()})
    return check


# ---------------------------------------------------------------- answering


@dataclass(frozen=True)
class Answer:
    answer: str
    note: str = ""
    measure_name: str = ""
    measure_value: Decimal | None = None
    measure_unit: str = ""


def clean_text(value: str | None, limit: int) -> str:
    """Plain text as typed, without control characters, trimmed (escaped when shown)."""
    return _CONTROL.sub("", (value or "").replace("\r\n", "\n")).strip()[:limit]


def _validate(data: Answer) -> dict[str, Any]:
    if data.answer not in ANSWERS:
        raise AnswerRefused("Choose yes, partly or not yet.", "answer")
    name = clean_text(data.measure_name, MEASURE_NAME_MAX)
    unit = clean_text(data.measure_unit, MEASURE_UNIT_MAX)
    if (data.measure_value is not None or unit) and not name:
        raise AnswerRefused("Name the business measure the value belongs to.", "measure_name")
    if data.measure_value is not None and not data.measure_value.is_finite():
        # "NaN", "sNaN" and "Infinity" parse as decimals; NaN cannot even be compared
        raise AnswerRefused("Enter the value as a number, for example 12 or 3.5.",
                            "measure_value")
    if data.measure_value is not None and abs(data.measure_value) >= Decimal("1e12"):
        raise AnswerRefused("Enter a smaller value.", "measure_value")
    return {"answer": data.answer, "note": clean_text(data.note, NOTE_MAX),
            "measure_name": name, "measure_unit": unit,
            "measure_value": (data.measure_value.quantize(Decimal("0.01"))
                              if data.measure_value is not None else None)}


def answer(check: ApplicationCheck, actor: Person, data: Answer,
           *, on: dt.date | None = None) -> ApplicationCheck:
    """Record the line manager's answer exactly once (a conditional UPDATE on the unanswered
    row: of two concurrent answers, one wins and the other gets :class:`AnswerConflict`)."""
    values = _validate(data)
    on = on or today()
    db.session.refresh(check)
    if check.answered_at is not None:
        raise AnswerConflict(_answered_message(check))
    learner = db.session.get(Person, check.learner_id)
    db.session.refresh(learner)
    if learner.manager_id != actor.id or not learner.active:
        raise AnswerConflict(f"{learner.name} is no longer in your team, so this check is not "
                             "yours to answer any more. Nothing was saved.")
    if check.due_on > on:
        raise AnswerConflict(f"This check is not due until {check.due_on:%-d %B %Y}. "
                             "Nothing was saved.")
    now = utcnow()
    result = db.session.execute(
        update(ApplicationCheck)
        .where(ApplicationCheck.id == check.id, ApplicationCheck.answered_at.is_(None))
        .values(answered_at=now, answered_by_id=actor.id, **values)
        .execution_options(synchronize_session=False))
    db.session.expire(check)
    if result.rowcount != 1:
        raise AnswerConflict(_answered_message(check))
    audit.record("application_check.answered", obj=check,
                 after={**values, "measure_value": (str(values["measure_value"])
                                                    if values["measure_value"] is not None
                                                    else None),
                        "note": bool(values["note"])})
    return check


def _answered_message(check: ApplicationCheck) -> str:
    db.session.refresh(check)
    who = check.answered_by.name if check.answered_by is not None else "Someone"
    when = check.answered_at
    return (f"{who} already answered this check"
            + (f" on {when:%-d %B %Y}" if when else "")
            + f" ({ANSWER_LABELS.get(check.answer or '', '').lower()}). Nothing you entered "
              "was saved.")


# ---------------------------------------------------------------- due notices


@dataclass
class DueNotice:
    manager_id: int
    manager_name: str
    checks: list[tuple[int, str, str]] = field(default_factory=list)  # (id, learner, title)


def due_unnoticed(on: dt.date) -> list[tuple[ApplicationCheck, Person]]:
    """Unanswered checks due by ``on`` whose current line manager has not been told yet."""
    learner = Person.__table__.alias("learner")
    rows = db.session.execute(
        select(ApplicationCheck, learner.c.manager_id)
        .join(learner, learner.c.id == ApplicationCheck.learner_id)
        .where(ApplicationCheck.answered_at.is_(None), ApplicationCheck.due_on <= on,
               learner.c.active.is_(True), learner.c.manager_id.is_not(None),
               or_(ApplicationCheck.notified_at.is_(None),
                   ApplicationCheck.notified_manager_id.is_(None),
                   ApplicationCheck.notified_manager_id != learner.c.manager_id))
        .order_by(learner.c.manager_id, ApplicationCheck.due_on, ApplicationCheck.id)).all()
    managers = {p.id: p for p in db.session.scalars(
        select(Person).where(Person.id.in_({m for _, m in rows}), Person.active.is_(True)))}
    return [(check, managers[m]) for check, m in rows if m in managers]


def notify_due(on: dt.date | None = None, *, dry_run: bool = False) -> list[DueNotice]:
    """Tell each line manager, once, about the checks that came due for them: one in-app
    notification per check and one e-mail per manager per run. Idempotent: a check is claimed
    by a conditional UPDATE of ``notified_manager_id``, so a rerun (or a second worker) sends
    nothing again; a new line manager after a move is told once too."""
    on = on or today()
    notices: dict[int, DueNotice] = {}
    base = current_app.config["BASE_URL"].rstrip("/")
    for check, manager in due_unnoticed(on):
        title = check.checkpoint.title
        notice = notices.setdefault(manager.id, DueNotice(manager.id, manager.name))
        if dry_run:
            notice.checks.append((check.id, check.learner.name, title))
            continue
        claimed = db.session.execute(
            update(ApplicationCheck)
            .where(ApplicationCheck.id == check.id, ApplicationCheck.answered_at.is_(None),
                   or_(ApplicationCheck.notified_manager_id.is_(None),
                       ApplicationCheck.notified_manager_id != manager.id))
            .values(notified_at=utcnow(), notified_manager_id=manager.id)
            .execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            continue
        notice.checks.append((check.id, check.learner.name, title))
        link = local_path("application_checks.check", check_id=check.id)
        notify(manager.id, "application_check.due",
               f"Is {check.learner.name} applying “{title}” on the job? Two minutes to answer.",
               link)
        audit.record("application_check.notified", obj=check, after={"manager_id": manager.id})
    out = [n for n in notices.values() if n.checks]
    if not dry_run:
        people = {p.id: p for p in db.session.scalars(
            select(Person).where(Person.id.in_([n.manager_id for n in out])))}
        for n in out:
            manager = people[n.manager_id]
            count = len(n.checks)
            items = [(learner, title, base + local_path("application_checks.check",
                                                         check_id=check_id))
                     for check_id, learner, title in n.checks]
            queue_mail(manager.email,
                       f"{count} application check{'s' if count != 1 else ''} to answer",
                       "application/mail/due", manager=manager, items=items,
                       link=base + local_path("application_checks.tasks"))
    return out

