"""Demo completions, certificates and choices (``flask demo seed``, order 66, after the year of
activity at 58).

Completions come from what the earlier seeders made: one set-based sweep marks every
enrolment whose checkpoints are all done as completed on the day its last checkpoint was done,
with its certificate (no recognition messages: those would all say "today"); completions the
portfolio hand-off already made while earlier seeders approved work get the same real date
(recognition is paused from order 11 to 66, so those made no notices or e-mails).
The latest completion in Tom Williams's team gets its recognition notice in the app; Sam
Taylor, the demo learner, has switched off theme e-mails; Tom keeps his own quiet hours.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update

from checkpoints.models import Enrolment
from clearance.cli import register_demo_seeder
from clearance.database import utcnow
from clearance.extensions import db
from clearance.notifications import notify
from clearance.urls import local_path
from engagement.nudges import completion, preferences
from engagement.nudges.models import RECOGNITION, THEME_RELEASED, Certificate, NudgeDelivery
from people.models import Person


def _person(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email == email))


def _date_completions_made_while_seeding() -> None:
    """Earlier seeders approve work through the portfolio, so the hand-off completed some
    programmes "now" as they went: give those their real date (the last checkpoint's state
    change, which seeders may backdate) and hold back no recognition e-mail for later."""
    rows = db.session.execute(
        select(Enrolment, Certificate).join(Certificate, Certificate.enrolment_id == Enrolment.id)
        .where(Enrolment.status == "completed", Certificate.withdrawn_at.is_(None))).all()
    for enrolment, certificate in rows:
        real = completion.completed_on(enrolment.person_id, enrolment.programme_id)
        enrolment.completed_at = certificate.completed_at = real
    db.session.execute(update(NudgeDelivery).where(NudgeDelivery.kind == RECOGNITION)
                       .values(mail_pending=False))
    db.session.flush()


def pause_recognition(summary: dict[str, Any]) -> None:
    """First in the seed: completions the next seeders cause are not celebrated "now"."""
    completion.pause_recognition(True)


def seed_nudges(summary: dict[str, Any]) -> None:
    completion.pause_recognition(False)
    if summary.get("skipped_people"):
        return
    completed, _ = completion.sweep(utcnow(), recognise=False)
    _date_completions_made_while_seeding()
    certificates = int(db.session.scalar(
        select(func.count()).select_from(Certificate)
        .where(Certificate.withdrawn_at.is_(None))) or 0)
    sam = _person("sam.taylor@northfield.example")
    tom = _person("tom.williams@northfield.example")
    if sam is not None:
        preferences.set_channels(sam.id, THEME_RELEASED,
                                 preferences.Channels(in_app=True, email=False))
    if tom is not None:
        preferences.set_quiet_hours(tom.id, "custom", dt.time(19, 0), dt.time(7, 30))
    # The most recent completion in Tom Williams's team (else anywhere) is celebrated in the
    # app, as it would have been when it happened.
    latest_stmt = (select(Certificate).join(Person, Person.id == Certificate.person_id)
                   .where(Certificate.withdrawn_at.is_(None))
                   .order_by(Certificate.completed_at.desc(), Certificate.id.desc()).limit(1))
    latest = (db.session.scalar(latest_stmt.where(Person.manager_id == tom.id))
              if tom is not None else None) or db.session.scalar(latest_stmt)
    example = ""
    if latest is not None:
        notify(latest.person_id, f"nudge.{RECOGNITION}",
               f"Well done: you completed “{latest.programme.title}”. Your certificate is "
               "ready.", local_path("nudges.certificate", certificate_id=latest.id))
        example = f"; e.g. {latest.person.name} ({latest.person.email}), on their home page"
    line = (f"Nudges: {certificates} programme completions with certificates "
            f"({completed} found by the completion sweep){example}.")
    summary["report"] = (summary.get("report", "") + "\n" + line).strip()


register_demo_seeder(11, "engagement.nudges.demo:pause_recognition")
register_demo_seeder(66, "engagement.nudges.demo:seed_nudges")
