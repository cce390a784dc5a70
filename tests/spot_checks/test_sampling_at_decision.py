"""Sampling runs inside the decision's transaction and stores the draw, facts and reasons."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from approvals.spot_checks import sampler, sampling
from approvals.spot_checks.models import SpotCheck, SpotCheckSampling
from clearance.audit import AuditEvent
from tests.spot_checks.factories import decide, decided


def _sampling(db_session, decision):
    return db_session.scalar(select(SpotCheckSampling)
                             .where(SpotCheckSampling.decision_id == decision.id))


def test_every_decision_gets_a_sampling_record_in_its_transaction(org, db_session):
    decision = decided(org.learner)
    row = _sampling(db_session, decision)
    assert row is not None and row.approver_id == org.line.id
    assert row.unit == org.line.unit and row.outcome == "approved"
    assert 0 <= row.draw < 1 and float(row.rate) == pytest.approx(0.10)
    assert row.feedback_chars > 80 and row.hours_to_decision is not None
    # a new approver (no agreed checks yet): sampled, and the reason is stored
    assert row.sampled and "new_approver" in row.reasons
    check = db_session.scalar(select(SpotCheck).where(SpotCheck.decision_id == decision.id))
    assert check.status == "open" and check.approver_id == org.line.id
    assert "new_approver" in [r.code for r in check.reasons]
    assert "0 of 5 agreed checks" in next(r.detail for r in check.reasons
                                         if r.code == "new_approver")
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "spot_check.sampled")) == 1


def test_risk_signals_from_a_real_decision(org, db_session):
    decision = decided(org.learner, positions=2, feedback="Great work, well done, keep it up "
                       "and share it with the team please.", opened_minutes_ago=0.5)
    row = _sampling(db_session, decision)
    assert {"quick_decision", "short_feedback", "all_top", "new_approver"} <= set(row.reasons)
    assert row.facts["levels"] == [[2, 2], [2, 2], [2, 2]]
    assert 0 <= row.facts["seconds_to_decide"] < 60


def test_approving_below_the_pass_level_with_a_justification_is_sampled(org, db_session):
    decision = decided(org.learner, positions=[0, 1, 1],
                       justification="Agreed in the 1:1 that the audit counts as evidence.")
    assert "below_pass" in _sampling(db_session, decision).reasons


def test_an_experienced_approver_is_sampled_only_by_the_draw(org, db_session, monkeypatch):
    monkeypatch.setattr(sampler, "approver_record", lambda _id, _w: (9, (True,) * 20))
    decision = decided(org.learner)
    row = _sampling(db_session, decision)
    expected = row.draw < 0.10
    assert row.sampled is expected and row.reasons == (["rate"] if expected else [])
    assert (db_session.scalar(select(SpotCheck).where(SpotCheck.decision_id == decision.id))
            is not None) is expected


def test_a_stored_sampling_replays_to_the_same_result(org, db_session):
    decision = decided(org.learner, feedback="Short but fine, thank you for the work you did.")
    row = _sampling(db_session, decision)
    again = sampler.replay(row)
    assert again.codes == row.reasons and again.draw == row.draw
    assert row.seed_ref == sampling.seed_ref(sampler.sampling_seed())
    facts = sampling.DecisionFacts.from_dict(row.facts)
    assert dataclasses.asdict(facts)["decision_id"] == decision.id


def test_a_programme_rate_is_used_and_recorded(org, db_session, monkeypatch):
    from approvals.spot_checks.models import ProgrammeSamplingRate
    from tests.approvals.factories import submitted

    monkeypatch.setattr(sampler, "approver_record", lambda _id, _w: (9, (True,) * 20))
    step = submitted(org.learner)
    db_session.add(ProgrammeSamplingRate(programme_id=step.submission.checkpoint.programme_id,
                                         rate=1))
    db_session.flush()
    decision = decide(step, org.line)
    row = _sampling(db_session, decision)
    assert float(row.rate) == 1.0 and row.reasons == ["rate"]
    assert row.facts["programme_rate"] == 1.0


def test_the_cli_explains_and_replays_a_decision(app, org, db_session):
    decision = decided(org.learner)
    db_session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["spot-checks", "explain", str(decision.id)])
    assert result.exit_code == 0, result.output
    assert "new_approver" in result.output and "replay gives the same result" in result.output
    assert "Spot-check" in result.output
    result = runner.invoke(args=["spot-checks", "replay"])
    assert result.exit_code == 0 and "0 differ" in result.output
    assert runner.invoke(args=["spot-checks", "explain", "999999"]).exit_code != 0
