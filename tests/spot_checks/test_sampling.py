"""The sampling rules as pure functions: the realised base rate, every rule's reason, replay."""

from __future__ import annotations

import dataclasses

import pytest

from approvals.spot_checks import sampling
from approvals.spot_checks.sampling import DecisionFacts, SamplingPolicy, draw, evaluate

SEED = b"test seed for the spot-check draw"
POLICY = SamplingPolicy()
#: an experienced, well-agreeing approver's ordinary decision: no rule applies
PLAIN = DecisionFacts(decision_id=1, outcome="approved", feedback_chars=200,
                      seconds_to_decide=900.0, levels=((2, 3), (1, 3), (2, 3)),
                      pass_min_position=1, rubric_passed=True, approver_agreed=10,
                      recent_agreement=(True,) * 20)


def _first_unsampled_id(facts: DecisionFacts, rate: float = 0.10) -> int:
    return next(i for i in range(1, 1000) if draw(SEED, i) >= max(rate, 0.5))


def test_over_ten_thousand_decisions_the_base_rate_is_ten_percent_within_one_and_a_half():
    sampled = sum(evaluate(dataclasses.replace(PLAIN, decision_id=i), POLICY, SEED).sampled
                  for i in range(1, 10_001))
    assert abs(sampled / 10_000 - 0.10) <= 0.015, sampled


def test_the_draw_is_uniform_enough_and_depends_on_the_seed():
    values = [draw(SEED, i) for i in range(1, 10_001)]
    assert all(0 <= v < 1 for v in values)
    # each tenth of [0, 1) gets about a tenth of the draws
    for k in range(10):
        share = sum(1 for v in values if k / 10 <= v < (k + 1) / 10) / len(values)
        assert abs(share - 0.1) < 0.015, (k, share)
    assert [draw(b"another seed", i) for i in range(1, 50)] != values[:49]


def test_replaying_with_the_same_seed_gives_the_same_sample():
    decisions = [dataclasses.replace(PLAIN, decision_id=i) for i in range(1, 2001)]
    first = [evaluate(f, POLICY, SEED) for f in decisions]
    again = [evaluate(DecisionFacts.from_dict(f.to_dict()), POLICY, SEED) for f in decisions]
    assert [r.codes for r in first] == [r.codes for r in again]
    assert [r.draw for r in first] == [r.draw for r in again]
    other = [evaluate(f, POLICY, b"a different seed") for f in decisions]
    assert [r.sampled for r in other] != [r.sampled for r in first]


def test_an_ordinary_decision_above_the_draw_is_not_sampled():
    facts = dataclasses.replace(PLAIN, decision_id=_first_unsampled_id(PLAIN))
    result = evaluate(facts, POLICY, SEED)
    assert not result.sampled and result.reasons == ()
    assert "Not sampled" in sampling.explain(facts, POLICY, SEED)[-1]


@pytest.mark.parametrize(("change", "code", "words"), [
    ({"seconds_to_decide": 75.0}, "quick_decision", "1.2 minutes"),
    ({"feedback_chars": 79}, "short_feedback", "79 characters"),
    ({"levels": ((3, 3), (3, 3), (4, 4))}, "all_top", "all 3 criteria"),
    ({"levels": ((0, 3), (2, 3), (2, 3)), "rubric_passed": False, "justified": True},
     "below_pass", "justified"),
    ({"delegated": True, "acting_reason": "line manager; out of office, delegated"},
     "delegated", "out of office"),
    ({"escalated": True}, "escalated", "escalated"),
    ({"approver_agreed": 4}, "new_approver", "4 of 5"),
])
def test_every_rule_fires_on_a_crafted_decision_and_records_its_reason(change, code, words):
    facts = dataclasses.replace(PLAIN, decision_id=_first_unsampled_id(PLAIN), **change)
    result = evaluate(facts, POLICY, SEED)
    assert result.sampled
    assert result.codes == [code]
    assert words in result.reasons[0].detail


def test_a_criterion_below_the_pass_level_counts_even_when_the_total_passes():
    facts = dataclasses.replace(PLAIN, decision_id=_first_unsampled_id(PLAIN),
                                levels=((0, 3), (3, 3), (3, 3)), rubric_passed=True)
    assert evaluate(facts, POLICY, SEED).codes == ["below_pass"]
    asked_for_changes = dataclasses.replace(facts, outcome="changes_requested")
    assert evaluate(asked_for_changes, POLICY, SEED).codes == []


def test_the_random_rate_samples_under_the_draw_with_its_reason():
    low = next(i for i in range(1, 1000) if draw(SEED, i) < 0.10)
    result = evaluate(dataclasses.replace(PLAIN, decision_id=low), POLICY, SEED)
    assert result.codes == ["rate"] and "base rate of 10%" in result.reasons[0].detail


def test_a_programme_rate_replaces_the_base_rate():
    between = next(i for i in range(1, 1000) if 0.10 <= draw(SEED, i) < 0.30)
    facts = dataclasses.replace(PLAIN, decision_id=between)
    assert not evaluate(facts, POLICY, SEED).sampled
    result = evaluate(dataclasses.replace(facts, programme_rate=0.30), POLICY, SEED)
    assert result.codes == ["rate"] and "programme rate of 30%" in result.reasons[0].detail
    none = dataclasses.replace(facts, decision_id=next(
        i for i in range(1, 1000) if draw(SEED, i) < 0.10), programme_rate=0.0)
    assert not evaluate(none, POLICY, SEED).sampled


def test_low_agreement_raises_the_rate_to_fifty_percent_until_it_recovers():
    between = next(i for i in range(1, 1000) if 0.10 <= draw(SEED, i) < 0.50)
    poor = (True,) * 15 + (False,) * 5  # 75% over the last 20
    facts = dataclasses.replace(PLAIN, decision_id=between, recent_agreement=poor)
    result = evaluate(facts, POLICY, SEED)
    assert result.codes == ["adaptive"] and result.rate == 0.5
    assert "agreement 75% over the last 20 checks" in result.reasons[0].detail
    recovered = dataclasses.replace(facts, recent_agreement=(True,) * 17 + (False,) * 3)
    assert evaluate(recovered, POLICY, SEED).rate == 0.10
    # only the latest 20 checks count: older disagreements have rolled out of the window
    old = dataclasses.replace(facts, recent_agreement=(True,) * 20 + (False,) * 10)
    assert evaluate(old, POLICY, SEED).rate == 0.10


def test_the_adaptive_rate_over_ten_thousand_decisions_is_about_half():
    poor = (False,) * 20
    hits = sum(evaluate(dataclasses.replace(PLAIN, decision_id=i, recent_agreement=poor),
                        POLICY, SEED).sampled for i in range(1, 10_001))
    assert abs(hits / 10_000 - 0.5) <= 0.015


def test_several_reasons_are_all_kept_in_a_stable_order():
    facts = dataclasses.replace(PLAIN, decision_id=_first_unsampled_id(PLAIN),
                                feedback_chars=10, seconds_to_decide=30.0,
                                levels=((3, 3), (3, 3)), approver_agreed=0, delegated=True)
    assert evaluate(facts, POLICY, SEED).codes == [
        "quick_decision", "short_feedback", "all_top", "delegated", "new_approver"]


def test_the_policy_reads_the_settings():
    policy = SamplingPolicy.from_config({"SPOT_CHECK_RATE": 12.5, "SPOT_CHECK_QUICK_MINUTES": 3,
                                         "SPOT_CHECK_ADAPTIVE_RATE": 40})
    assert policy.base_rate == 0.125 and policy.quick_minutes == 3.0
    assert policy.adaptive_rate == 0.4 and policy.new_approver_agreed == 5
