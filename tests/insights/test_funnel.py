"""The learning funnel against the hand-built scenario (tests/insights/scenario.py): exact
counts and conversions per source, audience, unit and programme, and the period's edges."""

from __future__ import annotations

import datetime as dt

import pytest

from engagement.insights.funnel import funnel
from tests.insights.scenario import MARCH, build

START, END = MARCH


@pytest.fixture()
def s(make_person, db_session):
    return build(make_person)


def counts(f):
    return f.counts()


def test_elective_funnel_for_everyone_in_march(s):
    f = funnel(START, END)
    # saw: a1 (catalogue, E1 page), a2 (widget and click), b2 (catalogue on 31 March), m1
    # (catalogue, M1 page), m2 (E1 page: a programme page counts as a look in stage 1 too);
    # not b1 (February), not the anonymous widget view
    # opened: a1 (E1 page), a2 (click to E1), m2 (E1 page); not m1 (a mandatory programme),
    # not b2 (1 April)
    # enrolled themselves in March: a1, a2, b1 (at 00:00 on 1 March); not m2 (February)
    # submitted: a1, a2 (23:00 on 31 March); m2's March submission is an earlier cohort's
    # approved by 31 March: a1 (a2's approval came on 1 April); completed: a1
    assert counts(f) == {"saw": 5, "opened": 3, "enrolled": 3, "submitted": 2, "approved": 1,
                         "completed": 1}
    # opened 3 of 5 saw; enrolled after opening: a1, a2 of the 3 who opened (b1 had no look),
    # so 66.7%, and "from the top" starts again at the cohort: submitted 2 of 3, approved and
    # completed 1 of 3; completed: a1, who had an approval, 1 of 1
    assert [(st.step_rate, st.top_rate) for st in f.stages] == [
        (None, 100.0), (60.0, 60.0), (66.7, 100.0), (66.7, 66.7), (50.0, 33.3), (100.0, 33.3)]
    assert f.enrolled_after_opening == 2
    # b1 enrolled with no look in March (their look was on 28 February)
    assert f.enrolled_without_look == 1
    assert f.completed_without_approval == 0


def test_assigned_funnel_skips_the_looking_stages(s):
    f = funnel(START, END, source="assigned")
    # assigned in March: m1 (M1), a1 (M1, at 23:59:59 on 31 March); not b1 (1 April 00:00)
    assert counts(f) == {"saw": None, "opened": None, "enrolled": 2, "submitted": 1,
                         "approved": 1, "completed": 0}
    enrolled = f.stage("enrolled")
    assert (enrolled.step_rate, enrolled.top_rate) == (None, 100.0)
    assert [(st.step_rate, st.top_rate) for st in f.stages[3:]] == [
        (50.0, 50.0), (100.0, 50.0), (0.0, 0.0)]
    assert f.enrolled_without_look is None
    assert f.enrolled_after_opening is None


def test_a_day_shorter_drops_the_last_evening(s):
    f = funnel(START, dt.date(2026, 3, 30))
    # b2's look and a2's submission were on 31 March; saw: a1, a2, m1, m2
    assert counts(f) == {"saw": 4, "opened": 3, "enrolled": 3, "submitted": 1, "approved": 1,
                         "completed": 1}
    assert counts(funnel(START, dt.date(2026, 3, 30), source="assigned"))["enrolled"] == 1


def test_a_period_into_april_counts_a_later_approval(s):
    f = funnel(START, dt.date(2026, 4, 1))
    # a2's approval (1 April 08:00) and b2's programme page (1 April) now count; saw: a1, a2,
    # b2, m1, m2
    assert counts(f) == {"saw": 5, "opened": 4, "enrolled": 3, "submitted": 2, "approved": 2,
                         "completed": 1}
    # b2 opened E2 but did not enrol: of the 4 who opened, a1 and a2 enrolled
    assert f.enrolled_after_opening == 2
    assert f.stage("enrolled").step_rate == 50.0
    assert counts(funnel(START, dt.date(2026, 4, 1), source="assigned"))["enrolled"] == 3


def test_starting_on_2_march_leaves_out_the_first_instant(s):
    f = funnel(dt.date(2026, 3, 2), END)
    assert counts(f)["enrolled"] == 2  # b1 enrolled at 00:00 on 1 March
    assert f.enrolled_without_look == 0


def test_managers_audience_is_people_with_active_reports_now(s):
    f = funnel(START, END, audience="managers")
    # managers now: boss, m1, m2, m3 (not m4, whose only report is inactive); saw: m1 (catalogue,
    # M1 page), m2 (E1 page); opened: m2
    assert counts(f) == {"saw": 2, "opened": 1, "enrolled": 0, "submitted": 0, "approved": 0,
                         "completed": 0}
    assert counts(funnel(START, END, audience="managers", source="assigned"))["enrolled"] == 1
    others = funnel(START, END, audience="non_managers")
    assert counts(others) == {"saw": 3, "opened": 2, "enrolled": 3, "submitted": 2,
                              "approved": 1, "completed": 1}


def test_unit_filter_uses_the_unit_people_are_in_now(s):
    f = funnel(START, END, unit="Ward 2")
    # Ward 2: b1, b2, m2, m3; saw: b2 (catalogue), m2 (E1 page); opened: m2; enrolled: b1
    assert counts(f) == {"saw": 2, "opened": 1, "enrolled": 1, "submitted": 0, "approved": 0,
                         "completed": 0}
    assert f.enrolled_without_look == 1
    # b1 enrolled without opening anything: none of the one who opened (m2) enrolled
    assert f.enrolled_after_opening == 0
    assert (f.stage("enrolled").step_rate, f.stage("enrolled").top_rate) == (0.0, 100.0)
    assert counts(funnel(START, END, unit="Nowhere")) == {
        "saw": 0, "opened": 0, "enrolled": 0, "submitted": 0, "approved": 0, "completed": 0}


def test_programme_filter_leaves_the_first_stage_alone(s):
    e1 = funnel(START, END, programme_id=s.E1.id)
    assert counts(e1) == {"saw": 5, "opened": 3, "enrolled": 2, "submitted": 2, "approved": 1,
                          "completed": 1}
    # a1 and a2 opened E1 (page, click) and enrolled in it: 2 of the 3 who opened E1
    assert e1.stage("enrolled").step_rate == 66.7
    e2 = funnel(START, END, programme_id=s.E2.id)
    assert counts(e2) == {"saw": 5, "opened": 0, "enrolled": 1, "submitted": 0, "approved": 0,
                          "completed": 0}
    # no one opened E2 in March, so the step into "enrolled" has no rate
    assert e2.stage("enrolled").step_rate is None
    m1 = funnel(START, END, programme_id=s.M1.id, source="assigned")
    assert counts(m1)["enrolled"] == 2


def test_unknown_source_and_audience_are_refused(s):
    with pytest.raises(ValueError):
        funnel(START, END, source="pushed")
    with pytest.raises(ValueError):
        funnel(START, END, audience="directors")
