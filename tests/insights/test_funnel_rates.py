"""Property: over any small year of looks, enrolments and work, no rate of either funnel is over
100%, whatever the period and filters, because every stage a rate divides by holds the people
counted in it (docstring of engagement/insights/funnel.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clearance.extensions import db
from engagement.insights.funnel import funnel
from engagement.models import CATALOGUE_VIEW, PROGRAMME_VIEW, SUGGESTION_CLICK, WIDGET_VIEW
from tests.insights.scenario import _programme, enrol, look, submit

DAY0 = dt.date(2026, 3, 1)
DAYS = 8
KINDS = (WIDGET_VIEW, CATALOGUE_VIEW, SUGGESTION_CLICK, PROGRAMME_VIEW)


@pytest.fixture()
def world(make_person, db_session):
    """A manager and three others in two units; two elective programmes and a mandatory one."""
    boss = make_person("Mo Manager", unit="Ward 1")
    people = [boss, make_person("Al", manager=boss, unit="Ward 1"),
              make_person("Bea", manager=boss, unit="Ward 2"), make_person("Cy", unit="Ward 2")]
    progs = [_programme("E1", "elective"), _programme("E2", "elective"),
             _programme("M1", "mandatory")]
    return people, progs


def _at(offset: int, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(DAY0 + dt.timedelta(days=offset), dt.time(hour),
                               tzinfo=dt.UTC)


day = st.integers(0, DAYS - 1)
looks = st.lists(st.tuples(st.integers(0, 3), st.sampled_from(KINDS), day,
                           st.one_of(st.none(), st.integers(0, 2))), max_size=12)
# per (person, programme): None, or (self-enrolled?, day, days to a submission or None, days
# from it to an approval or None, days to a completion or None: a formative-only programme is
# completed without an approval)
work = st.one_of(st.none(), st.tuples(
    st.booleans(), day, st.one_of(st.none(), st.integers(0, 3)),
    st.one_of(st.none(), st.integers(0, 3)), st.one_of(st.none(), st.integers(0, 4))))
works = st.lists(work, min_size=12, max_size=12)
filters = st.fixed_dictionaries({
    "audience": st.sampled_from([None, "managers", "non_managers"]),
    "unit": st.sampled_from([None, "Ward 1", "Ward 2"]),
    "programme": st.one_of(st.none(), st.integers(0, 2))})


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(looks=looks, works=works, first=day, length=day, chosen=filters)
def test_no_rate_is_over_100_percent(world, looks, works, first, length, chosen):
    people, progs = world
    savepoint = db.session.begin_nested()
    try:
        for who, kind, offset, prog in looks:
            look(kind, people[who], _at(offset), None if prog is None else progs[prog])
        for index, item in enumerate(works):
            if item is None:
                continue
            self_enrolled, offset, to_submit, to_approve, to_complete = item
            person, prog = people[index // 3], progs[index % 3]
            enrol(person, prog, "self" if self_enrolled else "assigned", _at(offset, 8),
                  completed=None if to_complete is None else _at(offset + to_complete, 20))
            if to_submit is not None:
                sent = _at(offset + to_submit, 10)
                submit(person, prog, sent, approved=None if to_approve is None
                       else _at(offset + to_submit + to_approve, 11))
        last = min(first + length, DAYS - 1)
        programme_id = None if chosen["programme"] is None else progs[chosen["programme"]].id
        for source in ("elective", "assigned"):
            f = funnel(DAY0 + dt.timedelta(days=first), DAY0 + dt.timedelta(days=last),
                       source=source, audience=chosen["audience"], unit=chosen["unit"],
                       programme_id=programme_id)
            for stage in f.stages:
                for rate in (stage.step_rate, stage.top_rate):
                    assert rate is None or 0 <= rate <= 100, (source, stage, chosen)
            n = f.counts()
            assert n["submitted"] <= n["enrolled"] and n["completed"] <= n["enrolled"]
            assert n["approved"] <= n["submitted"]
            assert 0 <= f.completed_without_approval <= n["completed"]
            if source == "elective":
                assert n["opened"] <= n["saw"]
                assert f.enrolled_after_opening <= min(n["opened"], n["enrolled"])
                assert f.enrolled_without_look <= n["enrolled"] - f.enrolled_after_opening
    finally:
        savepoint.rollback()
