"""Each figure of the results page against a hand-built scenario: exact medians and 90th
percentiles by level and by month, completion counts, the agreement rate, period edges."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from engagement.periods import custom
from engagement.results import figures
from tests.results.factories import at, check, decision, enrolment, programme

SPRING = custom(dt.date(2026, 3, 1), dt.date(2026, 4, 30))


def _days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


def turnaround_scenario(org):
    """Level 1: 1 (decided on the period's first instant), 1, 2, 4 days in March, 10 days in
    April; level 2: 3, 5, 8 days in April. Outside: the instant before and the end."""
    made = []
    for decided, days in ((dt.datetime(2026, 3, 1, tzinfo=dt.UTC), 1), (at("2026-03-05"), 1),
                          (at("2026-03-10"), 2), (at("2026-03-20"), 4), (at("2026-04-15"), 10)):
        made.append(decision(org.learner, org.line, submitted=decided - _days(days),
                             decided=decided))
    for decided, days in ((at("2026-04-05"), 3), (at("2026-04-06"), 5), (at("2026-04-30", 23), 8)):
        made.append(decision(org.learner, org.skip, submitted=decided - _days(days),
                             decided=decided, level=2))
    for decided in (dt.datetime(2026, 2, 28, 23, 59, tzinfo=dt.UTC),
                    dt.datetime(2026, 5, 1, tzinfo=dt.UTC)):
        made.append(decision(org.learner, org.line, submitted=decided - _days(100),
                             decided=decided))
    return made


def test_turnaround_by_level_median_p90_count(org, db_session):
    turnaround_scenario(org)
    result = figures.turnaround(SPRING)
    level1, level2 = result.levels
    assert (level1.level, level1.spread.count) == (1, 5)
    assert level1.spread.median == pytest.approx(2.0, abs=1e-4)
    # percentile_cont(0.9) of 1, 1, 2, 4, 10: rank 3.6 -> 4 + 0.6 * (10 - 4)
    assert level1.spread.p90 == pytest.approx(7.6, abs=1e-4)
    assert (level2.level, level2.spread.count) == (2, 3)
    assert level2.spread.median == pytest.approx(5.0, abs=1e-4)
    assert level2.spread.p90 == pytest.approx(7.4, abs=1e-4)  # rank 1.8 -> 5 + 0.8 * 3
    assert result.decisions == 8


def test_turnaround_by_month(org, db_session):
    turnaround_scenario(org)
    months = {m.month: m for m in figures.turnaround(SPRING).months}
    assert list(months) == ["2026-03", "2026-04"]
    march, april = months["2026-03"], months["2026-04"]
    assert march.median(1) == pytest.approx(1.5, abs=1e-4) and march.count(1) == 4
    assert march.median(2) is None and march.count(2) == 0
    assert april.median(1) == pytest.approx(10.0, abs=1e-4) and april.count(1) == 1
    assert april.median(2) == pytest.approx(5.0, abs=1e-4) and april.count(2) == 3
    assert march.label == "March 2026" and march.short == "Mar"


def test_turnaround_with_nothing_decided(org, db_session):
    result = figures.turnaround(SPRING)
    assert [(lv.level, lv.spread.count, lv.spread.median) for lv in result.levels] == \
        [(1, 0, None), (2, 0, None)]
    assert [m.month for m in result.months] == ["2026-03", "2026-04"]


def test_one_decision_is_its_own_median_and_p90(org, db_session):
    decision(org.learner, org.line, submitted=at("2026-03-01"), decided=at("2026-03-04", 0))
    spread = figures.turnaround(SPRING).levels[0].spread
    assert spread.count == 1
    assert spread.median == pytest.approx(2.5, abs=1e-4)
    assert spread.p90 == pytest.approx(2.5, abs=1e-4)


def test_completion_by_programme_and_source(org, make_person, db_session):
    a, b = programme("A programme"), programme("B programme", kind="mandatory")
    people = [make_person(f"Learner {i}", manager=org.line) for i in range(10)]
    feb, jan = at("2026-02-01"), at("2026-01-10")
    enrolment(people[0], a, enrolled=feb, completed=at("2026-03-10"))
    enrolment(people[1], a, enrolled=feb, source="assigned", completed=at("2026-04-30", 23))
    enrolment(people[2], a, enrolled=jan, completed=dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
    enrolment(people[3], a, enrolled=feb)
    enrolment(people[4], a, enrolled=at("2026-05-02"))                     # after the end
    enrolment(people[5], a, enrolled=feb, left=at("2026-04-01"))           # left within
    enrolment(people[6], a, enrolled=feb, left=at("2026-06-01"))           # left after the end
    enrolment(people[7], a, enrolled=jan, source="assigned", completed=at("2026-02-15"))
    enrolment(people[8], a, enrolled=at("2026-03-05"), source="assigned")
    enrolment(people[9], a, enrolled=feb, status="removed")                # no date: not counted
    enrolment(people[0], b, enrolled=feb, completed=at("2026-03-20"))
    result = figures.completion(SPRING)
    by_title = {p.title: p for p in result.programmes}
    assert list(by_title) == ["A programme", "B programme"]
    first = by_title["A programme"]
    assert first.completed == {"self": 1, "assigned": 1}
    assert first.active == {"self": 3, "assigned": 1}
    assert first.rate == pytest.approx(100 * 2 / 6)
    assert by_title["B programme"].completed == {"self": 1, "assigned": 0}
    assert by_title["B programme"].kind == "mandatory"
    assert result.total("completed") == 3 and result.total("completed", "self") == 2
    assert result.total("active") == 4 and result.total("active", "assigned") == 1
    assert result.rate == pytest.approx(100 * 3 / 7)


def test_agreement_rate(org, db_session):
    def made(day):
        return decision(org.learner, org.line, submitted=at(day) - _days(2), decided=at(day))

    for day, verdict in (("2026-03-02", "agree"), ("2026-03-03", "agree"),
                         ("2026-03-04", "concern"), ("2026-04-02", "agree"),
                         ("2026-04-03", "overturn"), ("2026-04-04", None),
                         ("2026-02-27", "concern"), ("2026-05-01", "concern")):
        check(made(day), verdict, org.ld)
    result = figures.agreement(SPRING)
    assert result.verdicts == {"agree": 3, "concern": 1, "overturn": 1}
    assert result.checked == 5 and result.rate == pytest.approx(60.0)
    months = {m.month: m for m in result.months}
    assert months["2026-03"].verdicts == {"agree": 2, "concern": 1, "overturn": 0}
    assert months["2026-03"].rate == pytest.approx(200 / 3)
    assert months["2026-04"].rate == pytest.approx(50.0)


def test_agreement_without_checks(org, db_session):
    result = figures.agreement(SPRING)
    assert result.checked == 0 and result.rate is None
    assert all(m.rate is None for m in result.months)


def _percentile_cont(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def test_median_and_p90_match_percentile_cont_for_every_size(org, db_session):
    """Sizes 1 to 23 (odd and even, ranks landing on and between rows), one month each."""
    rng = random.Random(9)
    expected = {}
    for n in range(1, 24):
        month = dt.date(2024, 1, 1) + dt.timedelta(days=31 * (n - 1))
        decided = dt.datetime(month.year, month.month, 25, tzinfo=dt.UTC)
        values = [round(rng.uniform(0.1, 40), 3) for _ in range(n)]
        for value in values:
            decision(org.learner, org.line, submitted=decided - _days(value), decided=decided)
        expected[f"{month:%Y-%m}"] = (n, _percentile_cont(values, 0.5),
                                      _percentile_cont(values, 0.9))
    months = {m.month: m for m in figures.turnaround(
        custom(dt.date(2024, 1, 1), dt.date(2025, 12, 31))).months}
    for key, (n, median, p90) in expected.items():
        spread = months[key].by_level[1]
        assert spread.count == n
        assert spread.median == pytest.approx(median, abs=1e-4), key
        assert spread.p90 == pytest.approx(p90, abs=1e-4), key
