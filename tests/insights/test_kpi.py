"""The manager engagement KPI against the hand-built scenario (tests/insights/scenario.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from engagement.insights.kpi import ManagerEngagement, MonthPoint, UnitRow, manager_engagement
from tests.insights.scenario import TODAY, build


@pytest.fixture()
def s(make_person, db_session):
    return build(make_person)


def test_this_year_so_far(s):
    kpi = manager_engagement(2026, today=TODAY)
    assert isinstance(kpi, ManagerEngagement)
    # managers now: boss, m1, m2, m3 (m4's only report has left)
    # engaged in 2026 up to 15 June: m3 (opened E2 in January, before having reports),
    # m2 (enrolled themselves in E1 in February), m1 (submitted in the elective E2 in May,
    # though assigned it). Not the boss: New Year's Eve 2025 and 20 June 2026 are outside.
    # m1's assigned enrolment and mandatory programme page are not elective activity.
    assert (kpi.managers, kpi.engaged, kpi.share, kpi.target) == (4, 3, 75.0, 22.5)
    assert kpi.as_of == TODAY
    assert kpi.met
    assert kpi.monthly == [
        MonthPoint(dt.date(2026, 1, 1), 1, 25.0), MonthPoint(dt.date(2026, 2, 1), 2, 50.0),
        MonthPoint(dt.date(2026, 3, 1), 2, 50.0), MonthPoint(dt.date(2026, 4, 1), 2, 50.0),
        MonthPoint(dt.date(2026, 5, 1), 3, 75.0), MonthPoint(dt.date(2026, 6, 1), 3, 75.0)]
    assert kpi.units == [UnitRow("Ward 1", 1, 1, 100.0, 77.5),
                         UnitRow("Ward 2", 2, 2, 100.0, 77.5),
                         UnitRow("Exec", 1, 0, 0.0, -22.5)]


def test_a_past_year_has_twelve_months(s):
    kpi = manager_engagement(2025, today=TODAY)
    # only the boss's self-enrolment at 23:00 UTC on 31 December 2025
    assert (kpi.managers, kpi.engaged, kpi.share) == (4, 1, 25.0)
    assert kpi.as_of == dt.date(2025, 12, 31)
    assert len(kpi.monthly) == 12
    assert [p.engaged for p in kpi.monthly] == [0] * 11 + [1]
    assert kpi.units[0] == UnitRow("Exec", 1, 1, 100.0, 77.5)


def test_today_cuts_the_year(s):
    # up to 1 May: m1's submission (2 May) is not yet counted
    kpi = manager_engagement(2026, today=dt.date(2026, 5, 1))
    assert (kpi.engaged, [p.engaged for p in kpi.monthly]) == (2, [1, 2, 2, 2, 2])
    # later in the year the boss's look of 20 June counts too
    late = manager_engagement(2026, today=dt.date(2026, 12, 31))
    assert (late.engaged, late.share) == (4, 100.0)
    assert [p.engaged for p in late.monthly][5:7] == [4, 4]


def test_losing_reports_means_no_longer_a_manager(s, db_session):
    s.b2.active = False  # m3's only report leaves
    db_session.flush()
    kpi = manager_engagement(2026, today=TODAY)
    assert (kpi.managers, kpi.engaged) == (3, 2)
    assert [(r.unit, r.managers, r.engaged) for r in kpi.units] == [
        ("Ward 1", 1, 1), ("Ward 2", 1, 1), ("Exec", 1, 0)]


def test_target_comes_from_the_setting(s, app):
    app.config["MANAGER_ENGAGEMENT_TARGET"] = 80.0
    try:
        kpi = manager_engagement(2026, today=TODAY)
    finally:
        app.config["MANAGER_ENGAGEMENT_TARGET"] = 22.5
    assert kpi.target == 80.0 and not kpi.met
    assert kpi.units[-1].vs_target == -80.0


def test_no_managers_no_division_by_zero(db_session, app):
    kpi = manager_engagement(2026, today=TODAY)
    assert (kpi.managers, kpi.engaged, kpi.share, kpi.units) == (0, 0, 0.0, [])
    assert not kpi.met


def test_a_future_year_is_empty(s):
    kpi = manager_engagement(2027, today=TODAY)
    assert (kpi.managers, kpi.engaged, kpi.monthly) == (4, 0, [])
