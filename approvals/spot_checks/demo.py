"""Demo spot-checks (``flask demo seed``, after the portfolios and their decisions).

Five ward managers decide their staff's clinical checkpoints through
``approvals.operations.decide`` (so sampling runs as it does for real), each in their own
style: two well calibrated, one lenient (every criterion at the top, short feedback, decided
in a minute), one mildly lenient and one severe. Helen Brooks (L&D) then works most of the
sampled checks: agreeing with the careful managers, raising concerns and overturning one of the
lenient manager's approvals; a few checks are left in the queue. History is spread over the
last six months so the calibration trend has something to show.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from approvals import operations as approval_ops
from approvals.models import ApprovalStep, Decision
from approvals.spot_checks import operations as ops
from approvals.spot_checks.models import SpotCheck, SpotCheckSampling
from checkpoints.models import Checkpoint, Programme
from clearance.database import utcnow
from clearance.extensions import db
from people.models import Person, email_key
from portfolios import operations as portfolio_ops
from portfolios.models import Submission, SubmissionVersion
from portfolios.operations import PortfolioError
from rubrics import scoring

LD_LEAD = "helen.brooks@northfield.example"
CHECKPOINTS = ("Lead a handover", "Escalation with SBAR")


@dataclass(frozen=True)
class Style:
    unit: str
    #: level offset from what the work deserves (+ lenient, - severe); None: always the top
    offset: int | None
    feedback: str
    minutes: float


STYLES = (
    Style("Ward 8 (Respiratory)", 0,
          "Your handover was structured and safe: you used SBAR throughout, checked the NEWS2 "
          "scores at the bedside and made sure the night nurse could repeat the plan back. "
          "Next, try leading the safety huddle.", 18),
    Style("Ward 12 (General Surgery)", 0,
          "Good, honest reflection. The evidence shows you escalated early and clearly; the "
          "colleague's feedback confirms it. To reach the top level, show how you checked "
          "understanding with the receiving team.", 25),
    Style("Ward 9 (Elderly Care)", None, "Excellent work, well done, keep it up please!", 0.8),
    Style("Ward 14 (Orthopaedics)", 1,
          "A good handover with a clear structure. Well done for involving the family; keep "
          "using SBAR on every shift.", 6),
    Style("Day Surgery Unit", -1,
          "Adequate, but the reflection needs more depth: say what you would do differently "
          "and why, with an example from the shift.", 30),
)


def _by_email(address: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email_key == email_key(address)))


def _manager_of(unit: str) -> Person | None:
    people = db.session.scalars(select(Person).where(Person.unit == unit, Person.active.is_(True))
                                .order_by(Person.depth, Person.id)).all()
    return next((p for p in people if p.is_manager), None)


def _checkpoints() -> list[Checkpoint]:
    return list(db.session.scalars(
        select(Checkpoint).join(Programme, Programme.id == Checkpoint.programme_id)
        .where(Checkpoint.title.in_(CHECKPOINTS), Checkpoint.kind == "summative",
               Checkpoint.rubric_version_id.is_not(None), Checkpoint.approval_levels == 1,
               Programme.status == "published")
        .order_by(Checkpoint.id)))


def _submit(person: Person, checkpoint: Checkpoint, rng: random.Random) -> ApprovalStep | None:
    from checkpoints.enrolling import self_enrol

    if portfolio_ops.working_enrolment(person, checkpoint) is None:
        self_enrol(person, checkpoint.programme)
    if portfolio_ops.find_submission(person, checkpoint) is not None:
        return None
    portfolio_ops.save_reflection(
        person, checkpoint,
        "## What I did\n\nI led the handover for my bay using SBAR and asked the receiving "
        "nurse to repeat the plan back.\n\n## What I learned\n\nChecking understanding caught "
        "a missed observation. Next time I will bring the chart to the bedside.")
    for n in range(max(1, checkpoint.min_evidence or 1)):
        number = rng.randint(1, 999)
        portfolio_ops.add_link(person, checkpoint,
                               f"https://intranet.northfield.example/handover/log-{number}-{n}",
                               "Handover log")
    submission = portfolio_ops.find_submission(person, checkpoint)
    try:
        portfolio_ops.submit(submission, person, expected_version=submission.version_count)
    except PortfolioError:
        return None
    return db.session.scalar(select(ApprovalStep).where(
        ApprovalStep.submission_id == submission.id, ApprovalStep.status == "pending"))


def _assessment(step: ApprovalStep, style: Style, deserved: int, feedback: str,
                offset: int) -> scoring.Assessment:
    version = approval_ops.rubric_version_of(step)
    answers = {}
    for criterion in version.criteria:
        levels = version.levels_for(criterion)
        top = len(levels) - 1
        chosen = top if style.offset is None else min(max(deserved + offset, 0), top)
        answers[criterion.id] = scoring.Answer(
            levels[chosen].id, "Great." if style.offset is None else
            f"{levels[chosen].name}: seen in the handover log and the reflection.")
    return scoring.Assessment(answers, feedback)


def _decide(step: ApprovalStep, manager: Person, style: Style, deserved: int,
            rng: random.Random) -> Decision:
    version = approval_ops.rubric_version_of(step)
    # the mildly lenient and the severe manager are off on about half of their decisions
    offset = (style.offset or 0) if rng.random() < 0.55 else 0
    assessment = _assessment(step, style, deserved, style.feedback, offset)
    result = scoring.score(version, assessment)
    outcome = "approved" if result.passed is not False else "changes_requested"
    return approval_ops.decide(step, manager, approval_ops.DecisionInput(
        outcome=outcome, assessment=assessment,
        review_started_at=utcnow() - dt.timedelta(minutes=style.minutes)),
        seen_lock=step.lock_version, seen_version_id=step.version_id)


def _ld_scores(check: SpotCheck, deserved: int) -> scoring.Assessment:
    version = ops.decision_rubric(check.decision)
    answers = {}
    for criterion in version.criteria:
        levels = version.levels_for(criterion)
        answers[criterion.id] = scoring.Answer(levels[min(deserved, len(levels) - 1)].id,
                                               "Judged from the evidence as submitted.")
    return scoring.Assessment(answers, "")


def _work(check: SpotCheck, ld: Person, style: Style, deserved: int, overturn: bool) -> str:
    ops.claim(check, ld)
    ops.score(check, ld, _ld_scores(check, deserved),
              "approved" if deserved >= 1 else "changes_requested")
    same = all(score.manager_position == score.ld_position for score in check.scores)
    higher = sum((score.manager_position or 0) - score.ld_position for score in check.scores) > 0
    if same:
        verdict, feedback = "agree", ""
    elif overturn and ops.overturn_blocker(check) is None:
        verdict = "overturn"
        feedback = ("Every criterion was marked at the top level, but the evidence does not "
                    "show the learner leading the handover or checking understanding. This "
                    "was not a full assessment against the rubric.")
    else:
        verdict = "concern"
        feedback = ("Your levels are " + ("higher" if higher else "lower") + " than the "
                    "evidence supports. Compare the rubric's descriptors with the work, and say "
                    "in your feedback what would reach the next level.")
    ops.give_verdict(check, ld, verdict, approver_feedback=feedback,
                     learner_message=("Your manager will look at this again with you. Please "
                                      "add a colleague's note on how you led the handover."
                                      if verdict == "overturn" else ""),
                     internal_notes="Demo: part of the quarterly sample.")
    return verdict


def _spread_history(made: list[tuple[Decision, Style, int]], rng: random.Random) -> None:
    """Move the demo decisions (their steps, sampling and checks) back over six months, with
    each manager's usual time to decide."""
    now = utcnow()
    for index, (decision, style, _deserved) in enumerate(made):
        days = int((len(made) - index) / len(made) * 170) + rng.randint(0, 5)
        when = now - dt.timedelta(days=days, hours=rng.randint(0, 8))
        waited = rng.uniform(2, 30) * (4 if style.offset == -1 else 1) \
            if style.offset is not None else rng.uniform(0.2, 2)
        checked = when + dt.timedelta(days=rng.randint(2, 9))
        db.session.execute(update(Decision).where(Decision.id == decision.id)
                           .values(decided_at=when))
        db.session.execute(update(ApprovalStep).where(ApprovalStep.id == decision.step_id)
                           .values(created_at=when - dt.timedelta(hours=waited)))
        # the work was submitted when it reached the approver (turnaround figures read it)
        submitted = when - dt.timedelta(hours=waited)
        db.session.execute(update(SubmissionVersion)
                           .where(SubmissionVersion.id == decision.version_id)
                           .values(submitted_at=submitted, outcome_at=when))
        db.session.execute(update(Submission).where(Submission.id == decision.submission_id)
                           .values(created_at=submitted, submitted_at=submitted))
        db.session.execute(update(SpotCheckSampling)
                           .where(SpotCheckSampling.decision_id == decision.id)
                           .values(decided_at=when, hours_to_decision=waited))
        db.session.execute(update(SpotCheck).where(SpotCheck.decision_id == decision.id)
                           .values(decided_at=when, created_at=when))
        db.session.execute(update(SpotCheck).where(SpotCheck.decision_id == decision.id,
                                                   SpotCheck.verdict.is_not(None))
                           .values(verdict_at=checked, claimed_at=checked, scored_at=checked))
    db.session.flush()
    db.session.expire_all()


def seed_spot_checks(summary: dict[str, Any]) -> None:
    if summary.get("skipped_people"):
        return
    ld = _by_email(LD_LEAD)
    checkpoints = _checkpoints()
    if ld is None or not checkpoints:
        return
    if db.session.scalar(select(SpotCheck.id).where(SpotCheck.verdict.is_not(None)).limit(1)):
        return
    rng = random.Random(7007)
    made: list[tuple[Decision, Style, int]] = []
    for style in STYLES:
        manager = _manager_of(style.unit)
        if manager is None:
            continue
        reports = list(db.session.scalars(
            select(Person).where(Person.manager_id == manager.id, Person.active.is_(True))
            .order_by(Person.id).limit(5)))
        for person in reports:
            for checkpoint in checkpoints:
                step = _submit(person, checkpoint, rng)
                if step is None or step.approver_id != manager.id:
                    continue
                deserved = rng.choice((1, 1, 2))
                made.append((_decide(step, manager, style, deserved, rng), style, deserved))
    rng.shuffle(made)
    made.sort(key=lambda item: item[0].id)
    overturned = False
    verdicts: dict[str, int] = {}
    left_open = 0
    for decision, style, deserved in made:
        check = db.session.scalar(select(SpotCheck).where(SpotCheck.decision_id == decision.id))
        if check is None:
            continue
        if left_open < 4 and rng.random() < 0.2:
            left_open += 1  # waiting in the queue for L&D
            continue
        want_overturn = style.offset is None and not overturned and decision.outcome == "approved"
        verdict = _work(check, ld, style, deserved, want_overturn)
        overturned = overturned or verdict == "overturn"
        verdicts[verdict] = verdicts.get(verdict, 0) + 1
    _spread_history(made, rng)
    summary["spot_checks"] = verdicts
    summary["report"] = (summary.get("report", "") + f"\nSpot-checks: {len(made)} demo "
                         f"decisions by five ward managers; verdicts {verdicts}, "
                         f"{left_open} left in the L&D queue (Helen Brooks).").lstrip("\n")
