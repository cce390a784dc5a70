"""Programme completion and the certificate that recognises it.

A programme is complete for a learner when every one of its checkpoints is done:

* a **summative** checkpoint is done when its submission is *approved* (every level signed off);
* a **formative** checkpoint is done when it has been *sent in for feedback* (state
  ``submitted``) or closed as approved. Formative checkpoints are "feedback only, no sign-off"
  in this codebase: nothing routes them to an approver, so waiting for an approval would mean
  nobody could ever complete a programme that has one. Changes asked for on a formative
  checkpoint (or a withdrawal) make it not done until it is sent in again.

The portfolio hand-off calls :func:`recheck` after every approve / request-changes / reopen,
after a formative checkpoint is submitted and after a withdrawal. Completing sets
``Enrolment.completed_at`` and status ``completed`` (which "my programmes" shows as
*Completed* and which still lets the learner work in their portfolio), issues the certificate
and recognises it, all in the caller's transaction. When a completion stops holding (an L&D
spot-check reopens an approved checkpoint) the enrolment goes back to ``active``, the
completion date is cleared and the certificate is withdrawn (its share link stops working).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from checkpoints.models import ENROLMENT_ENDED, Checkpoint, Enrolment
from clearance import audit
from clearance.database import as_utc, utcnow
from clearance.extensions import db
from clearance.notifications import notify
from clearance.urls import local_path
from engagement.nudges import delivery
from engagement.nudges.config import NudgeConfig, load_config
from engagement.nudges.models import RECOGNITION, Certificate
from engagement.nudges.preferences import DEFAULT, QuietPlan, channels_by_person
from portfolios.models import Submission


def _done(cp: Any, person_id: Any) -> Any:
    """EXISTS: ``person_id``'s submission for checkpoint ``cp`` counts as done."""
    return exists().where(
        Submission.checkpoint_id == cp.id, Submission.person_id == person_id,
        or_(Submission.state == "approved",
            and_(cp.kind == "formative", Submission.state == "submitted"))
    ).correlate_except(Submission)  # the checkpoint and the enrolment come from outside


_HOLDS: list[Any] = []  # built once: aliasing a table per call costs more than the query


def holds_clause() -> Any:
    """For an Enrolment row: the programme has checkpoints and every one is done."""
    if not _HOLDS:
        cp = aliased(Checkpoint)
        some = exists().where(cp.programme_id == Enrolment.programme_id)
        cp2 = aliased(Checkpoint)
        undone = exists().where(cp2.programme_id == Enrolment.programme_id,
                                ~_done(cp2, Enrolment.person_id))
        _HOLDS.append(and_(some, ~undone))
    return _HOLDS[0]


def completed_on(person_id: int, programme_id: int) -> dt.datetime:
    """When the last of the programme's checkpoints became done (its latest state change)."""
    latest = db.session.scalar(
        select(func.max(Submission.state_changed_at))
        .join(Checkpoint, Checkpoint.id == Submission.checkpoint_id)
        .where(Submission.person_id == person_id, Checkpoint.programme_id == programme_id))
    return as_utc(latest) or utcnow()


#: ``flask demo seed`` pauses recognition while its seeders approve a year of work (one
#: process, one command); everything else always recognises completions.
_recognition_paused = False


def pause_recognition(paused: bool = True) -> None:
    global _recognition_paused
    _recognition_paused = paused


def recheck(person_id: int, programme_id: int, *, now: dt.datetime | None = None) -> str | None:
    """Complete or un-complete one learner's programme after one of its checkpoints moved.
    Returns ``"completed"``, ``"cleared"`` or None (nothing changed)."""
    # The enrolment and whether its completion holds, in one statement.
    row = db.session.execute(select(Enrolment, holds_clause().label("holds")).where(
        Enrolment.person_id == person_id, Enrolment.programme_id == programme_id)).first()
    if row is None or row[0].status in ENROLMENT_ENDED:
        return None
    enrolment, holds = row[0], bool(row[1])
    now = now or utcnow()
    if holds and enrolment.completed_at is None:
        complete(enrolment, now, now=now, recognise=not _recognition_paused)
        return "completed"
    if not holds and (enrolment.completed_at is not None or enrolment.status == "completed"):
        clear(enrolment, now=now)
        return "cleared"
    return None


def complete(enrolment: Enrolment, at: dt.datetime, *, now: dt.datetime,
             recognise: bool = True, cfg: NudgeConfig | None = None) -> Certificate:
    before = {"status": enrolment.status, "completed_at": None}
    enrolment.status, enrolment.completed_at = "completed", at
    certificate = db.session.scalar(select(Certificate)
                                    .where(Certificate.enrolment_id == enrolment.id))
    if certificate is None:
        certificate = Certificate(enrolment_id=enrolment.id, person_id=enrolment.person_id,
                                  programme_id=enrolment.programme_id)
        db.session.add(certificate)
    certificate.completed_at, certificate.issued_at = at, now
    certificate.withdrawn_at, certificate.share_token_hash, certificate.shared_at = None, None, None
    db.session.flush()
    audit.record("enrolment.completed", obj=enrolment, before=before,
                 after={"status": "completed", "completed_at": at.isoformat(),
                        "certificate_id": certificate.id})
    if recognise:
        recognise_completion(certificate, now, cfg or load_config())
    return certificate


def clear(enrolment: Enrolment, *, now: dt.datetime, reason: str = "a checkpoint is no "
          "longer done") -> None:
    completed = as_utc(enrolment.completed_at)
    enrolment.status, enrolment.completed_at = "active", None
    certificate = db.session.scalar(select(Certificate)
                                    .where(Certificate.enrolment_id == enrolment.id))
    if certificate is not None and certificate.withdrawn_at is None:
        certificate.withdrawn_at = now
        certificate.share_token_hash, certificate.shared_at = None, None
    db.session.flush()
    audit.record("enrolment.completion_cleared", obj=enrolment,
                 before={"status": "completed",
                         "completed_at": completed.isoformat() if completed else None},
                 after={"status": "active", "completed_at": None,
                        "certificate_id": certificate.id if certificate else None},
                 reason=reason)


# ---------------------------------------------------------------- recognition


def recognition_nudge(certificate: Certificate, period: str) -> delivery.Nudge:
    title = certificate.programme.title
    return delivery.Nudge(
        person_id=certificate.person_id, kind=RECOGNITION,
        subject=f"enrolment:{certificate.enrolment_id}", period=period,
        message=f"Well done: you completed “{title}”. Your certificate is ready.",
        link=local_path("nudges.certificate", certificate_id=certificate.id),
        context={"certificate": certificate, "programme_title": title},
        mail_subject=f"Well done: “{title}” completed")


def recognise_completion(certificate: Certificate, now: dt.datetime,
                         cfg: NudgeConfig) -> None:
    """Recognition at once: the in-app notice now (a celebration is welcome at any hour: it
    appears when the learner next opens the app), the e-mail now unless the learner is in
    their quiet hours, when it is held for the hourly run after they end. One ledger row per
    completion (the period is the completion time), so a recheck never recognises twice."""
    period = as_utc(certificate.completed_at).strftime("%Y-%m-%dT%H:%M:%S")
    nudge = recognition_nudge(certificate, period)
    channels = channels_by_person(RECOGNITION, [certificate.person_id]).get(
        certificate.person_id, DEFAULT)
    if not channels.any:
        return
    quiet = QuietPlan(cfg).is_quiet(certificate.person_id, now)
    mail_now = channels.email and not quiet
    won = delivery.claim_ids([{
        "person_id": certificate.person_id, "kind": RECOGNITION, "subject": nudge.subject,
        "period": period, "created_at": now, "notified_at": now if channels.in_app else None,
        "mailed_at": now if mail_now else None,
        "mail_pending": bool(channels.email and quiet)}])
    if not won:
        return
    if channels.in_app:
        notify(certificate.person_id, f"nudge.{RECOGNITION}", nudge.message,
                        nudge.link)
    if mail_now:
        message = delivery.mail(certificate.person, nudge)
        delivery.link_outbox([(won[nudge.key], message.id)])


# ---------------------------------------------------------------- set-based sweep


def sweep(now: dt.datetime | None = None, *, recognise: bool = False,
          dry_run: bool = False) -> tuple[int, int]:
    """Complete every active enrolment whose checkpoints are all done and clear every
    completion that no longer holds. For data that predates this feature (and the demo):
    completion dates are the real ones (the last checkpoint's state change); recognition is
    off unless asked for. Returns (completed, cleared)."""
    now = now or utcnow()
    holds = holds_clause()
    to_complete = db.session.scalars(
        select(Enrolment).where(Enrolment.status == "active", Enrolment.completed_at.is_(None),
                                holds).order_by(Enrolment.id)).all()
    to_clear = db.session.scalars(
        select(Enrolment).where(or_(Enrolment.status == "completed",
                                    and_(Enrolment.completed_at.is_not(None),
                                         Enrolment.status.not_in(ENROLMENT_ENDED))), ~holds)
        .order_by(Enrolment.id)).all()
    if dry_run:
        return len(to_complete), len(to_clear)
    latest = _latest_changes([e.id for e in to_complete])
    cfg = load_config()
    for enrolment in to_complete:
        complete(enrolment, latest.get(enrolment.id) or now, now=now, recognise=recognise,
                 cfg=cfg)
    for enrolment in to_clear:
        clear(enrolment, now=now, reason="completion sweep: a checkpoint is no longer done")
    return len(to_complete), len(to_clear)


def _latest_changes(enrolment_ids: list[int]) -> dict[int, dt.datetime]:
    out: dict[int, dt.datetime] = {}
    for start in range(0, len(enrolment_ids), 500):
        rows = db.session.execute(
            select(Enrolment.id, func.max(Submission.state_changed_at))
            .join(Checkpoint, Checkpoint.programme_id == Enrolment.programme_id)
            .join(Submission, and_(Submission.checkpoint_id == Checkpoint.id,
                                   Submission.person_id == Enrolment.person_id))
            .where(Enrolment.id.in_(enrolment_ids[start:start + 500]))
            .group_by(Enrolment.id))
        out.update({eid: as_utc(at) for eid, at in rows if at is not None})
    return out
