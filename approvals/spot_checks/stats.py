"""Calibration statistics: pure functions over counts (no database).

- :func:`weighted_kappa`: Cohen's kappa with quadratic weights between the manager's and L&D's
  levels. Levels are positions on a scale (0 = lowest); pairs from rubrics with different
  numbers of levels share the scale of the largest. 1 is perfect agreement, 0 what chance
  gives, below 0 worse than chance. When both raters used one single level throughout, chance
  agreement is already total and kappa is not defined (None).
- :func:`agreement_rate`, :func:`mean_difference` (manager minus L&D: above 0 lenient, below 0
  severe), :func:`median`.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence

Pair = tuple[int, int]


def weighted_kappa(counts: Mapping[Pair, int], categories: int | None = None) -> float | None:
    """Quadratic-weighted Cohen's kappa from ``{(manager_level, ld_level): n}``.

    ``categories`` is the number of levels on the scale (default: enough for every level seen).
    Returns None without pairs or when it is not defined (a single level used throughout).
    """
    pairs = {(int(a), int(b)): int(n) for (a, b), n in counts.items() if n}
    total = sum(pairs.values())
    if total == 0:
        return None
    k = max(categories or 0, 1 + max(max(a, b) for a, b in pairs))
    if k < 2:
        return None
    rows = [0] * k
    cols = [0] * k
    for (a, b), n in pairs.items():
        rows[a] += n
        cols[b] += n
    denominator = (k - 1) ** 2
    observed = sum(n * (a - b) ** 2 for (a, b), n in pairs.items()) / denominator / total
    expected = sum(rows[i] * cols[j] * (i - j) ** 2
                   for i in range(k) for j in range(k)) / denominator / total ** 2
    if expected == 0:
        return None
    return 1 - observed / expected


def kappa_from_pairs(pairs: Iterable[Pair], categories: int | None = None) -> float | None:
    counts: dict[Pair, int] = {}
    for pair in pairs:
        counts[pair] = counts.get(pair, 0) + 1
    return weighted_kappa(counts, categories)


def agreement_rate(agreed: int, checked: int) -> float | None:
    return agreed / checked if checked else None


def exact_level_agreement(counts: Mapping[Pair, int]) -> float | None:
    """Share of criteria where both chose the same level."""
    total = sum(counts.values())
    return sum(n for (a, b), n in counts.items() if a == b) / total if total else None


def mean_difference(counts: Mapping[Pair, int]) -> float | None:
    """Mean of manager level minus L&D level (positive: the manager is more lenient)."""
    total = sum(counts.values())
    if not total:
        return None
    return sum((a - b) * n for (a, b), n in counts.items()) / total


def leaning(difference: float | None, threshold: float = 0.25) -> str:
    """"lenient", "severe" or "in line" for a mean level difference."""
    if difference is None:
        return ""
    if difference >= threshold:
        return "lenient"
    if difference <= -threshold:
        return "severe"
    return "in line"


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def kappa_band(kappa: float | None) -> str:
    """Landis and Koch's words for a kappa value."""
    if kappa is None:
        return "not defined"
    if kappa < 0:
        return "worse than chance"
    for limit, word in ((0.2, "slight"), (0.4, "fair"), (0.6, "moderate"),
                        (0.8, "substantial")):
        if kappa <= limit:
            return word
    return "almost perfect"
