"""The demo tells seed 000's story on the manager engagement KPI: seeded, about a fifth of
managers are engaged this year, just under the 22.5% target, more every month and most of it in
the second half of the year, a few units above the target and many at none; the looks seeder
makes no manager engaged who was not already; last year's figure is not empty.

One run of the demo seed (as ``flask demo seed`` runs it, less the one-to-ones: the slowest
seeder by far, whose decisions in meetings are nobody's elective learning activity) on a fixed
day, so the months are the same whenever the test runs."""

from __future__ import annotations

import importlib
import itertools
import time

from freezegun import freeze_time

from clearance.audit import verify_chain
from clearance.cli import DEMO_SEEDERS
from engagement.demo_managers import curve
from engagement.insights.kpi import manager_engagement

SEEDED_ON = "2026-11-23 08:30:00"
LOOKS = "engagement.insights.demo:seed_looks"
SKIPPED = "approvals.one_to_ones.demo:seed_one_to_ones"


def _seed_demo() -> tuple[dict, list]:
    """The demo seeders in order; the KPI as it stood just before the looks were added."""
    summary: dict = {"password": "clearance-demo"}
    before_looks = []
    for _order, ref in DEMO_SEEDERS:
        if ref == SKIPPED:
            continue
        if ref == LOOKS:
            before_looks = manager_engagement(2026).monthly
        module, _, name = ref.partition(":")
        getattr(importlib.import_module(module), name)(summary)
    return summary, before_looks


def test_the_seeded_demo_grows_towards_the_manager_target(db_session):
    started = time.perf_counter()
    with freeze_time(SEEDED_ON, tick=True):
        summary, before_looks = _seed_demo()
        kpi = manager_engagement(2026)
        last_year = manager_engagement(2025)
    assert time.perf_counter() - started < 60  # a few seconds
    assert verify_chain().ok

    assert kpi.target == 22.5 and kpi.managers > 50
    assert 18 <= kpi.share <= 21, kpi
    assert "managers engaged with elective learning this year" in summary["report"]
    shares = [p.share for p in kpi.monthly]
    assert len(shares) == 11 and shares[-1] == kpi.share
    assert 0 < shares[0] < shares[-1]  # something in January, more by November
    assert all(a < b for a, b in itertools.pairwise(shares)), shares  # more every month
    june = kpi.monthly[5].engaged
    assert june < kpi.engaged - june  # most of it in the second half of the year

    above = [u for u in kpi.units if u.share >= kpi.target]
    none = [u for u in kpi.units if u.engaged == 0]
    assert 3 <= len(above) <= 10 and len(none) >= 5, kpi.units

    # the looks (programme pages opened) engaged no manager who was not engaged already
    assert kpi.monthly == before_looks
    # last year: a few managers in its last month, the only month of it among the last twelve
    assert last_year.monthly[-1].engaged > 0
    assert all(p.engaged == 0 for p in last_year.monthly[:-1])


def test_the_planned_curve():
    assert curve(19, 11) == [1, 2, 3, 4, 5, 7, 9, 11, 13, 16, 19]
    assert curve(19, 1) == [19]
    assert curve(3, 6) == [1, 2, 3, 3, 3, 3]  # fewer people than months: flat at the top
    assert curve(0, 3) == [0, 0, 0]
