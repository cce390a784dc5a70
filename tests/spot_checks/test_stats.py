"""Kappa, agreement and differences against hand-checked examples."""

from __future__ import annotations

import pytest

from approvals.spot_checks.stats import (
    agreement_rate,
    exact_level_agreement,
    kappa_band,
    kappa_from_pairs,
    leaning,
    mean_difference,
    median,
    weighted_kappa,
)


def test_perfect_agreement_is_one():
    assert kappa_from_pairs([(0, 0), (1, 1), (2, 2), (3, 3), (1, 1)], 4) == pytest.approx(1.0)
    assert exact_level_agreement({(0, 0): 2, (2, 2): 3}) == 1.0


def test_complete_disagreement_is_minus_one():
    # manager always the opposite end of a two-level scale from L&D
    assert kappa_from_pairs([(0, 1), (1, 0)], 2) == pytest.approx(-1.0)
    assert agreement_rate(0, 4) == 0.0


def test_no_agreement_beyond_chance_is_zero():
    # both raters spread evenly and independently over two levels
    counts = {(0, 0): 1, (0, 1): 1, (1, 0): 1, (1, 1): 1}
    assert weighted_kappa(counts, 2) == pytest.approx(0.0)


def test_a_hand_worked_three_level_example():
    # manager [0,1,2,0,2], L&D [0,1,2,1,1]; weights (i-j)^2/4.
    # observed weighted disagreement: (0.25 + 0.25) / 5 = 0.1
    # expected: rows [2,1,2] x cols [1,3,1]: (3.5 + 0.5 + 3.5) / 25 = 0.3
    # kappa = 1 - 0.1 / 0.3 = 2/3
    pairs = [(0, 0), (1, 1), (2, 2), (0, 1), (2, 1)]
    assert kappa_from_pairs(pairs, 3) == pytest.approx(2 / 3)
    assert mean_difference(dict.fromkeys(pairs, 1)) == pytest.approx(0.0)


def test_quadratic_weights_punish_big_gaps_more_than_small_ones():
    near = kappa_from_pairs([(0, 0), (1, 1), (2, 2), (3, 3), (2, 1), (3, 2)], 4)
    far = kappa_from_pairs([(0, 0), (1, 1), (2, 2), (3, 3), (3, 0), (0, 3)], 4)
    assert near > far


def test_a_single_category_throughout_is_not_defined():
    assert kappa_from_pairs([(2, 2), (2, 2), (2, 2)], 4) is None
    assert kappa_from_pairs([(0, 0)], 1) is None
    assert kappa_band(None) == "not defined"


def test_no_pairs_gives_nothing():
    assert weighted_kappa({}) is None
    assert mean_difference({}) is None
    assert agreement_rate(0, 0) is None
    assert median([]) is None


def test_the_scale_grows_to_fit_every_level_seen():
    assert weighted_kappa({(0, 0): 1, (4, 4): 1}, 2) == pytest.approx(1.0)


def test_lenient_and_severe():
    lenient = {(3, 2): 4, (2, 2): 1}
    assert mean_difference(lenient) == pytest.approx(0.8)
    assert leaning(0.8) == "lenient" and leaning(-0.5) == "severe"
    assert leaning(0.1) == "in line" and leaning(None) == ""


def test_median_and_bands():
    assert median([5.0, 1.0, 3.0]) == 3.0 and median([1.0, 2.0, 3.0, 10.0]) == 2.5
    assert kappa_band(0.9) == "almost perfect" and kappa_band(-0.1) == "worse than chance"
    assert kappa_band(0.5) == "moderate"
