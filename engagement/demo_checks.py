"""The demo year's spot-checks (see :mod:`engagement.demo`): a sampling record for every
decision from the real rules (:func:`approvals.spot_checks.sampling.evaluate` on the decision's
facts, the real seed), and L&D's verdicts on the sampled ones, with their levels beside the
manager's; an overturn reopens the submission. Decisions of the last days stay in the queue;
a month the draw left without a check gets one decision picked by hand, as L&D do.

The history stands for a system past its first months: every approver counts as past the
new-approver rule (``approver_agreed`` starts at its threshold), so the base rate, the risk
signals and the adaptive rate decide, as they would by now.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select

from approvals.spot_checks import sampler, sampling
from approvals.spot_checks.models import (
    ProgrammeSamplingRate,
    SpotCheck,
    SpotCheckReason,
    SpotCheckSampling,
    SpotCheckScore,
)
from clearance.extensions import db
from rubrics import scoring


def _facts(year: Any, d: dict[str, Any], past: list[tuple[dt.datetime, bool]],
           policy: sampling.SamplingPolicy, rates: dict[int, float]) -> sampling.DecisionFacts:
    chosen = d["_chosen"]
    rubric = year.rubrics.get(d["rubric_version_id"])
    return sampling.DecisionFacts(
        decision_id=d["id"], outcome=d["outcome"],
        feedback_chars=scoring.feedback_length(d["overall_feedback"]),
        seconds_to_decide=(d["decided_at"] - d["review_started_at"]).total_seconds(),
        levels=tuple((lv.position, len(levels) - 1) for (_c, lv), (_k, levels)
                     in zip(chosen, rubric.criteria, strict=False)) if chosen else (),
        pass_min_position=rubric.pass_pos if chosen else None,
        rubric_passed=d["rubric_passed"],
        approver_agreed=policy.new_approver_agreed + sum(1 for _t, ok in past if ok),
        recent_agreement=tuple(ok for _t, ok in past[:policy.adaptive_window]),
        programme_rate=rates.get(d["_programme"]))


def _verdict(year: Any, d: dict[str, Any]) -> tuple[str | None, dt.datetime]:
    """L&D's verdict a few days after the decision (None: not checked yet)."""
    at = d["decided_at"] + dt.timedelta(days=year.rng.uniform(2, 12))
    if at > year.now - dt.timedelta(hours=2):
        return None, at
    r = year.rng.random()
    verdict = "agree" if r < 0.8 else "concern" if r < 0.96 else "overturn"
    if verdict == "overturn" and (d["outcome"] != "approved" or d["_sub"]["state"] != "approved"):
        verdict = "concern"
    return verdict, at


def spot_checks(year: Any) -> None:
    """Sampling records for every decision (the real rules), L&D's verdicts on the sampled
    ones, and one decision picked by hand in any month the draw left without a check."""
    policy, seed = sampler.sampling_policy(), sampler.sampling_seed()
    rates = {pid: float(r) for pid, r in db.session.execute(
        select(ProgrammeSamplingRate.programme_id, ProgrammeSamplingRate.rate))}
    verdicts: dict[int, list[tuple[dt.datetime, bool]]] = defaultdict(list)
    unchecked: dict[str, list[dict[str, Any]]] = defaultdict(list)
    checked_months: set[str] = set()
    for d in sorted(year.decisions, key=lambda d: d["decided_at"]):
        approver = year.people[d["decided_by_id"]]
        past = sorted((v for v in verdicts[approver.id] if v[0] < d["decided_at"]),
                      reverse=True)
        facts = _facts(year, d, past, policy, rates)
        result = sampling.evaluate(facts, policy, seed)
        year.rows.add(SpotCheckSampling.__table__, {
            "decision_id": d["id"], "approver_id": approver.id, "unit": approver.unit or "",
            "programme_id": d["_programme"], "decided_at": d["decided_at"],
            "outcome": d["outcome"], "draw": result.draw, "rate": round(result.rate, 5),
            "sampled": result.sampled, "reasons": result.codes, "facts": facts.to_dict(),
            "seed_ref": sampling.seed_ref(seed), "feedback_chars": facts.feedback_chars,
            "hours_to_decision": (d["decided_at"] - d["_step"]["created_at"]).total_seconds()
            / 3600})
        month = f"{d['decided_at']:%Y-%m}"
        if not result.sampled or year.ld is None:
            unchecked[month].append(d)
            continue
        verdict, at = _verdict(year, d)
        if verdict:
            verdicts[approver.id].append((at, verdict == "agree"))
            checked_months.add(month)
        _check(year, d, approver, result.codes, verdict, at)
    for month, candidates in sorted(unchecked.items()):
        if month in checked_months or year.ld is None:
            continue
        d = year.rng.choice(candidates)
        verdict, at = _verdict(year, d)
        if verdict:
            _check(year, d, year.people[d["decided_by_id"]], ["manual"], verdict, at)


def _check(year: Any, d: dict[str, Any], approver: Any, codes: list[str], verdict: str | None,
           at: dt.datetime) -> None:
    rows, sub = year.rows, d["_sub"]
    feedback = "" if verdict in (None, "agree") else (
        "The levels chosen are higher than the evidence supports: compare the rubric's "
        "descriptors with the work, and say in your feedback what would reach the next level.")
    acknowledged = at + dt.timedelta(days=year.rng.uniform(1, 6)) if feedback else None
    check = rows.add(SpotCheck.__table__, {
        "decision_id": d["id"], "submission_id": sub["id"], "learner_id": sub["person_id"],
        "approver_id": approver.id, "unit": approver.unit or "",
        "programme_id": d["_programme"], "decided_at": d["decided_at"],
        "origin": "manual" if codes == ["manual"] else "sampled", "primary_reason": codes[0],
        "picked_by_id": year.ld if codes == ["manual"] else None,
        "created_at": d["decided_at"], "status": "done" if verdict else "open",
        "claimed_by_id": year.ld if verdict else None, "claimed_at": at if verdict else None,
        "scored_at": at if verdict else None,
        "ld_outcome": (d["outcome"] if verdict != "overturn" else "changes_requested")
        if verdict else None, "ld_feedback": "", "verdict": verdict,
        "verdict_at": at if verdict else None, "verdict_by_id": year.ld if verdict else None,
        "approver_feedback": feedback, "learner_message": (
            "Please add a colleague's note on how you applied this on the ward."
            if verdict == "overturn" else ""),
        "internal_notes": "Demo history." if verdict else "",
        "acknowledged_at": acknowledged if acknowledged and acknowledged < year.now
        else None})
    for position, code in enumerate(codes):
        rows.add(SpotCheckReason.__table__, {"spot_check_id": check["id"], "code": code,
                                             "position": position, "detail": ""},
                 with_id=False)
    if not verdict:
        return
    offset = 0 if verdict == "agree" else -1
    for position, (criterion, lv) in enumerate(d["_chosen"]):
        levels = next(ls for c, ls in year.rubrics[d["rubric_version_id"]].criteria
                      if c.id == criterion.id)
        ld = levels[min(max(lv.position + (offset if position == 0 else 0), 0),
                        len(levels) - 1)]
        rows.add(SpotCheckScore.__table__, {
            "spot_check_id": check["id"], "criterion_id": criterion.id,
            "criterion_key": criterion.key, "criterion_title": criterion.title,
            "position": position, "ld_level_id": ld.id, "ld_position": ld.position,
            "manager_level_id": lv.id, "manager_position": lv.position,
            "scale_size": len(levels), "comment": "Judged from the evidence as submitted."})
    if verdict == "overturn":
        sub.update(state="reopened", state_changed_at=at)
