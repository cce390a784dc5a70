"""Every write in approvals: opening steps, deciding, escalating, reassigning.

Flush, never commit; one audit event per change. Who decides is always asked of
``approvals.routing``; nothing here picks an approver itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from approvals import routing
from approvals.models import ApprovalStep, Decision, DecisionScore
from approvals.workdays import add_working_days
from clearance import audit
from clearance.database import utcnow
from clearance.extensions import db
from clearance.mail import queue_mail
from clearance.notifications import notify, notify_many
from clearance.urls import local_path
from people.models import Person
from portfolios import operations as portfolio_ops
from portfolios.models import Submission, SubmissionVersion
from rubrics import scoring

# Other parts of approvals (spot-check sampling, one-to-ones) act on every decision in the
# same transaction: ``fn(decision, step)`` runs right after the decision is recorded.
_DECISION_HOOKS: list[Callable[[Any, Any], None]] = []


def on_decision(fn: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    """Register ``fn(decision, step)``; it runs inside :func:`decide`'s transaction."""
    if fn not in _DECISION_HOOKS:
        _DECISION_HOOKS.append(fn)
    return fn


class DecisionRefused(ValueError):
    """The decision cannot be saved as sent; ``missing`` lists what the assessment lacks."""

    def __init__(self, message: str, missing: list[scoring.Missing] | None = None) -> None:
        super().__init__(message)
        self.missing = missing or []


class DecisionConflict(RuntimeError):
    """Someone else decided first, or the work changed since the page was opened (409)."""


# ---------------------------------------------------------------- opening steps


def _escalate_at(start: dt.datetime) -> dt.datetime:
    return add_working_days(start, int(current_app.config["ESCALATION_WORKING_DAYS"]))


def _review_link(step: ApprovalStep) -> str:
    return local_path("approvals.review", step_id=step.id)


def open_step(version: SubmissionVersion, learner: Person, level: int, approver: Person,
              reason: str, previous: ApprovalStep | None = None) -> ApprovalStep:
    now = utcnow()
    step = ApprovalStep(version_id=version.id, submission_id=version.submission_id,
                        learner_id=learner.id, level=level, approver_id=approver.id,
                        status="pending", reason=reason[:200], created_at=now,
                        escalate_at=_escalate_at(now), lock_version=1,
                        previous_step_id=previous.id if previous else None,
                        escalations=(previous.escalations if previous else 0))
    db.session.add(step)
    db.session.flush()
    audit.record("approval.step_opened", obj=step,
                 after={"version_id": version.id, "level": level, "approver_id": approver.id,
                        "reason": step.reason})
    return step


def start_routing(version: SubmissionVersion) -> ApprovalStep:
    """The portfolios hand-off: a summative version was submitted; level 1 decides first."""
    learner = version.submission.person
    route = routing.route(learner, 1)
    assert route is not None  # level 1 always exists (or routing raised)
    step = open_step(version, learner, 1, route.approver, route.reason)
    notify(route.actor.id, "approval.waiting",
           f"{learner.name} submitted “{version.submission.checkpoint.title}” for your decision.",
           _review_link(step))
    return step


def pending_steps_of_version(version_id: int) -> list[ApprovalStep]:
    return list(db.session.scalars(
        select(ApprovalStep).where(ApprovalStep.version_id == version_id,
                                   ApprovalStep.status == "pending")
    ))


def withdraw_blocker(submission: Submission) -> str | None:
    """Withdrawal is allowed only while nobody has decided any level of the pending version."""
    latest = submission.latest_version
    if latest is None:
        return None
    decided = db.session.scalar(
        select(Decision).where(Decision.version_id == latest.id).order_by(Decision.id).limit(1)
    )
    if decided is None:
        return None
    return (f"{decided.decided_by.name} already decided level {decided.level}, so this "
            "can no longer be withdrawn.")


def cancel_pending(version: SubmissionVersion, reason: str = "withdrawn by the learner") -> None:
    for step in pending_steps_of_version(version.id):
        _close(step, "cancelled")
        audit.record("approval.step_cancelled", obj=step, reason=reason)


def _close(step: ApprovalStep, status: str) -> None:
    result = db.session.execute(
        update(ApprovalStep)
        .where(ApprovalStep.id == step.id, ApprovalStep.status == "pending")
        .values(status=status, closed_at=utcnow(), lock_version=ApprovalStep.lock_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(step)
    if result.rowcount != 1:
        raise DecisionConflict("This step was changed by someone else a moment ago.")


# ---------------------------------------------------------------- deciding


@dataclass
class DecisionInput:
    outcome: str  # approved | changes_requested
    assessment: scoring.Assessment
    justification: str = ""
    meeting_id: int | None = None
    review_started_at: dt.datetime | None = None


def min_feedback_chars() -> int:
    return int(current_app.config.get("RUBRIC_MIN_FEEDBACK_CHARS", 40))


def suggest(step: ApprovalStep, assessment: scoring.Assessment) -> scoring.ScoreResult | None:
    """What the rubric's pass rule says about ``assessment`` (None without a rubric)."""
    rubric_version = rubric_version_of(step)
    return scoring.score(rubric_version, assessment) if rubric_version is not None else None


def rubric_version_of(step: ApprovalStep) -> Any:
    """The checkpoint's pinned rubric version with its rubric, criteria and levels (one
    statement; scoring and the review page read all of them)."""
    from rubrics.models import Criterion, RubricVersion

    version_id = step.submission.checkpoint.rubric_version_id
    if not version_id:
        return None
    return db.session.get(RubricVersion, version_id, options=[
        joinedload(RubricVersion.rubric),
        joinedload(RubricVersion.criteria).joinedload(Criterion.levels),
        joinedload(RubricVersion.scale)])


def decide(step: ApprovalStep, actor: Person, data: DecisionInput, *, seen_lock: int,
           seen_version_id: int) -> Decision:
    """Record ``actor``'s decision on ``step`` exactly once.

    Refused (DecisionRefused) when the assessment is incomplete or the outcome needs a
    justification; conflicts (DecisionConflict) when someone decided first, the step moved,
    or the learner withdrew or resubmitted since the page was opened.

    ``step`` is read as loaded in this transaction (with its learner, version and submission:
    ``queries.step_with_context``); the conditional UPDATEs below (the step's, then the
    submission's) are what make a decision happen once, so nothing is read again first.
    """
    if data.outcome not in ("approved", "changes_requested"):
        raise DecisionRefused("Choose an outcome: approve, or ask for changes.")
    _check_fresh(step, seen_lock=seen_lock, seen_version_id=seen_version_id)
    learner = step.learner
    # Who acts for the approver now: asked once, for the check and for "acting for".
    try:
        route = routing.acting_route(step.approver, learner)
    except routing.RoutingError:
        route = None
    if route is None or not routing.may_act(actor, learner, route):
        raise DecisionRefused("You cannot decide this step (it is not yours to decide now).")

    rubric_version = rubric_version_of(step)
    result = None
    if rubric_version is not None:
        missing = scoring.missing_pieces(rubric_version, data.assessment, min_feedback_chars())
        if missing:
            raise DecisionRefused("The assessment is not complete yet.", missing)
        result = scoring.score(rubric_version, data.assessment)
        below = [c for c in result.criteria if c.meets_pass_level is False]
        if data.outcome == "approved" and (below or result.passed is False) \
                and len(data.justification.strip()) < 20:
            raise DecisionRefused(
                "You are approving although the rubric's pass rule is not met. Explain why in "
                "the justification (at least 20 characters).",
                [scoring.Missing("justification", "Write a justification for approving below "
                                 "the pass level.", "justification")])
    elif scoring.feedback_length(data.assessment.feedback) < min_feedback_chars():
        raise DecisionRefused("The assessment is not complete yet.", [scoring.Missing(
            "feedback_short",
            f"Write overall feedback of at least {min_feedback_chars()} characters.",
            "feedback")])

    # Exactly once: only the request that flips pending -> decided at the version it saw wins.
    now = utcnow()
    result_rows = db.session.execute(
        update(ApprovalStep)
        .where(ApprovalStep.id == step.id, ApprovalStep.status == "pending",
               ApprovalStep.lock_version == seen_lock)
        .values(status="decided", closed_at=now, lock_version=ApprovalStep.lock_version + 1)
        .execution_options(synchronize_session=False)
    )
    if result_rows.rowcount != 1:
        db.session.expire(step)
        raise DecisionConflict(_conflict_message(step))
    # The row now holds exactly these values: keep them instead of reading the row again.
    set_committed_value(step, "status", "decided")
    set_committed_value(step, "closed_at", now)
    set_committed_value(step, "lock_version", seen_lock + 1)

    decision = Decision(
        step_id=step.id, version_id=step.version_id, submission_id=step.submission_id,
        learner_id=learner.id, level=step.level, outcome=data.outcome,
        overall_feedback=data.assessment.feedback.strip(),
        justification=data.justification.strip(),
        rubric_version_id=rubric_version.id if rubric_version is not None else None,
        total_points=result.total if result is not None else None,
        rubric_passed=result.passed if result is not None else None,
        content_hash=step.version.content_hash, decided_at=now, decided_by_id=actor.id,
        acting_for_id=route.acting_for.id if route.acting_for is not None else None,
        acting_reason=route.reason if route.acting_for is not None else "",
        meeting_id=data.meeting_id, review_started_at=data.review_started_at,
    )
    db.session.add(decision)
    try:
        db.session.flush()
    except IntegrityError as exc:
        # The unique step_id: a second decision for the step can never be stored. (The
        # transaction is spoilt now; the caller rolls it back.)
        raise DecisionConflict("Someone else decided this a moment ago. Nothing you entered "
                               "was saved.") from exc
    _store_scores(decision, result, data.assessment)
    audit.record("approval.decided", obj=decision,
                 after={"step_id": step.id, "outcome": data.outcome, "level": step.level,
                        "total": str(decision.total_points) if result else None,
                        "acting_for_id": decision.acting_for_id,
                        "meeting_id": data.meeting_id},
                 acting_role="approver")
    for hook in list(_DECISION_HOOKS):
        hook(decision, step)
    _after_decision(step, decision, actor)
    return decision


def _store_scores(decision: Decision, result: scoring.ScoreResult | None,
                  assessment: scoring.Assessment) -> None:
    """Every criterion's score in one INSERT (RETURNING the rows, which become the decision's
    ``scores`` without a further read)."""
    rows = [{"decision_id": decision.id, "criterion_id": c.criterion_id, "level_id": c.level_id,
             "position": i, "comment": assessment.answer(c.criterion_id).comment.strip()}
            for i, c in enumerate(result.criteria)] if result is not None else []
    scores = (list(db.session.scalars(insert(DecisionScore).returning(DecisionScore), rows))
              if rows else [])
    set_committed_value(decision, "scores", sorted(scores, key=lambda s: s.position))


def _check_fresh(step: ApprovalStep, *, seen_lock: int, seen_version_id: int) -> None:
    """The step and its submission as this transaction loaded them still match the page the
    decision was made on (the conditional UPDATEs catch anything that moves after)."""
    if step.status != "pending" or step.lock_version != seen_lock:
        raise DecisionConflict(_conflict_message(step))
    submission, version = step.submission, step.version
    # Versions are numbered 1..version_count, so the step's version is the latest exactly
    # when its number is the submission's count.
    if submission.state != "submitted" or version.number != submission.version_count \
            or seen_version_id != step.version_id:
        raise DecisionConflict(
            "The learner withdrew or changed this work after you opened it, so your decision "
            "was not saved. Open it again to see the current version.")


def _conflict_message(step: ApprovalStep) -> str:
    db.session.refresh(step)
    if step.status == "decided":
        decision = db.session.scalar(select(Decision).where(Decision.step_id == step.id))
        if decision is not None:
            return (f"{decision.decided_by.name} already decided this on "
                    f"{decision.decided_at:%d %B %Y at %H:%M} UTC "
                    f"({decision.outcome_label.lower()}). Nothing you entered was saved.")
    if step.status in ("escalated", "reassigned"):
        return ("This step moved to another approver after you opened it, so your decision "
                "was not saved.")
    if step.status == "cancelled":
        return "The learner withdrew this work, so there is nothing to decide any more."
    return "This step changed after you opened it. Open it again to see where it stands."


def _after_decision(step: ApprovalStep, decision: Decision, actor: Person) -> None:
    submission = step.submission
    checkpoint = submission.checkpoint
    learner = step.learner
    title = checkpoint.title
    link = local_path("portfolios.submission", submission_id=submission.id)
    if decision.outcome == "changes_requested":
        portfolio_ops.request_changes(submission, by=actor, reason=decision.overall_feedback,
                                      version=step.version)
        cancel_pending(step.version, reason="changes requested at another level")
        _tell_learner(learner, f"{actor.name} asked for changes to “{title}”.", link,
                      decision)
        return
    if step.level < (checkpoint.approval_levels or 1):
        nxt = routing.route(learner, step.level + 1)
        if nxt is not None and actor.id in (nxt.actor.id, nxt.approver.id):
            # Two levels means two people: whoever decided level 1 cannot decide level 2.
            above = routing.next_above(nxt.approver, learner)
            nxt = routing.acting_route(above, learner, reason="skip-level manager (next up)") \
                if above is not None and above.id != actor.id else None
        if nxt is not None and nxt.approver.id != step.approver_id:
            new = open_step(step.version, learner, step.level + 1, nxt.approver, nxt.reason,
                            previous=None)
            notify_many([
                (nxt.actor.id, "approval.waiting",
                 f"{learner.name}'s “{title}” was approved at level {step.level} and now "
                 "needs your decision.", _review_link(new)),
                (learner.id, "approval.progress",
                 f"{actor.name} approved “{title}”; it now goes to {nxt.approver.name}.",
                 link)])
            return
    portfolio_ops.approve(submission, by=actor, reason="approved", version=step.version)
    _tell_learner(learner, f"{actor.name} approved “{title}”.", link, decision)


def _tell_learner(learner: Person, message: str, link: str, decision: Decision) -> None:
    notify(learner.id, f"decision.{decision.outcome}", message, link)
    queue_mail(learner.email, message, "mail/decision", learner=learner, decision=decision,
               message=message,
               link=current_app.config["BASE_URL"].rstrip("/") + (link or "/"))


# ---------------------------------------------------------------- moving work


def move_step(step: ApprovalStep, to: Person, status: str, reason: str) -> ApprovalStep:
    """Close ``step`` as escalated/reassigned and open the same level for ``to``."""
    _close(step, status)
    new = open_step(step.version, step.learner, step.level, to, reason, previous=step)
    if status == "escalated":
        new.escalations = step.escalations + 1
    audit.record(f"approval.step_{status}", obj=step,
                 before={"approver_id": step.approver_id},
                 after={"approver_id": to.id, "new_step_id": new.id}, reason=reason)
    return new


@dataclass(frozen=True)
class Escalation:
    step_id: int
    learner: str
    checkpoint: str
    from_name: str
    to_name: str | None


def due_for_escalation(now: dt.datetime | None = None) -> list[ApprovalStep]:
    now = now or utcnow()
    return list(db.session.scalars(
        select(ApprovalStep).where(ApprovalStep.status == "pending",
                                   ApprovalStep.escalate_at <= now)
        .order_by(ApprovalStep.escalate_at, ApprovalStep.id)
    ))


def escalate_due(now: dt.datetime | None = None, *, dry_run: bool = False) -> list[Escalation]:
    """Move every step left undecided past its deadline one level up; both are told."""
    now = now or utcnow()
    days = int(current_app.config["ESCALATION_WORKING_DAYS"])
    moves = []
    for step in due_for_escalation(now):
        learner, current = step.learner, step.approver
        target = routing.next_above(current, learner)
        title = step.submission.checkpoint.title
        moves.append(Escalation(step.id, learner.name, title, current.name,
                                target.name if target else None))
        if dry_run:
            continue
        if target is None:
            # Nowhere higher: keep it here and look again after another period.
            step.escalate_at = add_working_days(now, days)
            db.session.flush()
            continue
        new = move_step(step, target, "escalated",
                        f"escalated from {current.name} after {days} working days")
        notify_many([
            (target.id, "approval.escalated",
             f"{learner.name}'s “{title}” waited {days} working days for {current.name} and "
             "was escalated to you.", _review_link(new)),
            (current.id, "approval.escalated_away",
             f"{learner.name}'s “{title}” was escalated to {target.name} after {days} "
             "working days.", "")])
        for person, line in ((target, "was escalated to you"),
                             (current, f"was escalated to {target.name}")):
            queue_mail(person.email, f"Escalated: {learner.name}'s {title}", "mail/escalated",
                       person=person, learner=learner, title=title, line=line, days=days,
                       link=current_app.config["BASE_URL"].rstrip("/") + _review_link(new))
    return moves


def reassign_after_manager_change(person_ids: list[int]) -> int:
    """Pending level-1 steps follow their learner's new line manager."""
    moved = 0
    if not person_ids:
        return 0
    steps = db.session.scalars(
        select(ApprovalStep).where(ApprovalStep.status == "pending", ApprovalStep.level == 1,
                                   ApprovalStep.learner_id.in_(person_ids))
    ).all()
    for step in steps:
        db.session.refresh(step.learner)
        approver = routing.responsible_approver(step.learner, 1)
        if approver is None or approver.id == step.approver_id:
            continue
        move_step(step, approver, "reassigned",
                  f"line manager changed: now {approver.name}")
        moved += 1
    return moved


def reassign_from_deactivated(person_ids: list[int]) -> int:
    """A deactivated approver's pending steps move up one level."""
    moved = 0
    if not person_ids:
        return 0
    steps = db.session.scalars(
        select(ApprovalStep).where(ApprovalStep.status == "pending",
                                   ApprovalStep.approver_id.in_(person_ids))
    ).all()
    for step in steps:
        target = routing.next_above(step.approver, step.learner)
        if target is None:
            continue
        move_step(step, target, "reassigned", f"{step.approver.name} was deactivated")
        moved += 1
    return moved


def total_as_text(value: Decimal | None) -> str:
    return scoring.format_points(value) if value is not None else ""
