"""Sampling at decision time: ``approvals.operations.on_decision`` runs
:func:`sample_decision` inside every decision's transaction. It gathers the facts the rules in
:mod:`approvals.spot_checks.sampling` look at, stores the draw, facts and reasons for every
decision, and opens a spot-check when any rule applies.
"""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import case, func, select

from approvals.models import ApprovalStep, Decision
from approvals.operations import on_decision
from approvals.spot_checks import sampling
from approvals.spot_checks.models import ProgrammeSamplingRate, SpotCheck, SpotCheckSampling
from approvals.spot_checks.operations import open_check
from clearance.database import as_utc
from clearance.extensions import db
from rubrics import scoring


def sampling_seed() -> bytes:
    configured = str(current_app.config.get("SPOT_CHECK_SEED") or "")
    if configured:
        return configured.encode()
    return hmac.new(str(current_app.config["SECRET_KEY"]).encode(), b"spot-check sampling seed",
                    hashlib.sha256).digest()


def sampling_policy() -> sampling.SamplingPolicy:
    return sampling.SamplingPolicy.from_config(current_app.config)


def programme_rate(programme_id: int | None) -> float | None:
    if programme_id is None:
        return None
    row = db.session.get(ProgrammeSamplingRate, programme_id)
    return float(row.rate) if row is not None else None


def approver_record(approver_id: int, window: int) -> tuple[int, tuple[bool, ...]]:
    """(checks L&D agreed with, the latest ``window`` verdicts newest first: True = agreed).

    One statement: the agreed count is a window sum over every verdict of the approver,
    computed before the LIMIT keeps the latest ``window`` rows (no verdicts: no rows, and
    nothing agreed)."""
    agreed_sum = func.sum(case((SpotCheck.verdict == "agree", 1), else_=0)).over()
    mine = (SpotCheck.approver_id == approver_id, SpotCheck.verdict.is_not(None))
    if window <= 0:
        agreed = db.session.scalar(select(agreed_sum).where(*mine).limit(1)) or 0
        return int(agreed), ()
    rows = db.session.execute(
        select(SpotCheck.verdict, agreed_sum).where(*mine)
        .order_by(SpotCheck.verdict_at.desc(), SpotCheck.id.desc()).limit(window)).all()
    agreed = rows[0][1] if rows else 0
    return int(agreed or 0), tuple(verdict == "agree" for verdict, _ in rows)


def _levels_of(decision: Decision) -> tuple[tuple[tuple[int, int], ...], int | None]:
    """Per scored criterion (position chosen, top position), and the pass level position."""
    if decision.rubric_version_id is None:
        return (), None
    from rubrics.models import RubricVersion

    version = db.session.get(RubricVersion, decision.rubric_version_id)
    if version is None:
        return (), None
    spec = scoring.spec_of(version)
    by_id = {c.id: c for c in spec.criteria}
    levels = []
    for score in decision.scores:
        criterion = by_id.get(score.criterion_id)
        level = criterion.level(score.level_id) if criterion is not None else None
        if criterion is not None and level is not None:
            levels.append((level.position, len(criterion.levels) - 1))
    return tuple(levels), spec.pass_min_position


def facts_for(decision: Decision, step: ApprovalStep, programme_id: int | None,
              policy: sampling.SamplingPolicy) -> sampling.DecisionFacts:
    levels, pass_position = _levels_of(decision)
    started = as_utc(decision.review_started_at)
    seconds = ((as_utc(decision.decided_at) - started).total_seconds()
               if started is not None else None)
    agreed, recent = approver_record(decision.decided_by_id, policy.adaptive_window)
    return sampling.DecisionFacts(
        decision_id=decision.id, outcome=decision.outcome,
        feedback_chars=scoring.feedback_length(decision.overall_feedback),
        seconds_to_decide=max(0.0, seconds) if seconds is not None else None,
        levels=levels, pass_min_position=pass_position, rubric_passed=decision.rubric_passed,
        justified=bool((decision.justification or "").strip()),
        delegated=decision.acting_for_id is not None, acting_reason=decision.acting_reason or "",
        escalated=bool(step.escalations) or (step.reason or "").startswith("escalated"),
        approver_agreed=agreed, recent_agreement=recent,
        programme_rate=programme_rate(programme_id),
    )


def _context(decision: Decision, step: ApprovalStep) -> tuple[Any, int | None, Any]:
    from portfolios.models import Submission

    submission = db.session.get(Submission, decision.submission_id)
    programme_id = submission.checkpoint.programme_id if submission is not None else None
    from people.models import Person

    approver = db.session.get(Person, decision.decided_by_id)
    return submission, programme_id, approver


def sample_decision(decision: Decision, step: ApprovalStep) -> SpotCheckSampling:
    """Run the sampling rules on a decision just recorded (same transaction); store the draw,
    the facts and the reasons; open a spot-check when any rule applies."""
    policy = sampling_policy()
    seed = sampling_seed()
    _submission, programme_id, approver = _context(decision, step)
    facts = facts_for(decision, step, programme_id, policy)
    result = sampling.evaluate(facts, policy, seed)
    created = as_utc(step.created_at)
    decided = as_utc(decision.decided_at)
    row = SpotCheckSampling(
        decision_id=decision.id, approver_id=decision.decided_by_id,
        unit=(approver.unit if approver is not None else "") or "", programme_id=programme_id,
        decided_at=decided, outcome=decision.outcome, draw=result.draw,
        rate=Decimal(str(round(result.rate, 5))), sampled=result.sampled, reasons=result.codes,
        facts=facts.to_dict(), seed_ref=sampling.seed_ref(seed),
        hours_to_decision=((decided - created).total_seconds() / 3600
                           if created is not None else None),
        feedback_chars=facts.feedback_chars,
    )
    db.session.add(row)
    db.session.flush()
    if result.sampled:
        open_check(decision, row, [(r.code, r.detail) for r in result.reasons],
                    origin="sampled", picked_by=None)
    return row


on_decision(sample_decision)


def replay(row: SpotCheckSampling, seed: bytes | None = None,
           policy: sampling.SamplingPolicy | None = None) -> sampling.SamplingResult:
    """Run the rules again on the stored facts (the policy in force now, unless given)."""
    return sampling.evaluate(sampling.DecisionFacts.from_dict(row.facts),
                             policy or sampling_policy(), seed or sampling_seed())


