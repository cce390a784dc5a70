"""Attacks on the pulse's anonymity: narrowing by programme and by period, and subtracting one
figure from another, must never single out the answers of fewer than PULSE_MIN_RESPONSES
people (L&D's pulse page, and the results page that shows the all-programmes figure)."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from clearance.extensions import db
from engagement.periods import add_months
from engagement.pulse import queries
from engagement.pulse.models import PulseResponse
from tests.conftest import login
from tests.portfolios import factories as pf

K = 5  # PULSE_MIN_RESPONSES by default


def _responses(programme_id, n, *, month=dt.date(2030, 3, 1), usefulness=4, helped=5):
    for _ in range(n):
        db.session.add(PulseResponse(
            programme_id=programme_id, checkpoint_kind="summative", approver_level=1,
            month=month, usefulness=usefulness, feedback_helped=helped, chose_feedback=True))
    db.session.flush()


def _n(agg):
    return 0 if agg is None else agg.responses


def test_choosing_a_programme_does_not_give_away_the_others(db_session):
    """All programmes 11, the big one 9, the small one 2 (who all answered 1): "all" minus
    "the big one" must not be the small one's two answers."""
    start, end = dt.date(2030, 1, 1), dt.date(2030, 12, 31)
    big = pf.programme(title="Big")
    small = pf.programme(title="Small")
    _responses(big.id, 9)
    _responses(small.id, 2, usefulness=1, helped=1)
    overall = queries.aggregate(start, end)
    chosen = queries.aggregate(start, end, programme_id=big.id)
    assert _n(overall) - _n(chosen) not in range(1, K)
    if overall is not None and chosen is not None:
        assert overall.usefulness.distribution == chosen.usefulness.distribution


def test_the_programme_filter_page_and_the_list_cannot_be_subtracted(client, org, db_session):
    big = pf.programme(title="Big")
    small = pf.programme(title="Small")
    month = dt.date.today().replace(day=1)
    _responses(big.id, 9, month=month)
    _responses(small.id, 2, month=month, usefulness=1, helped=1)
    db_session.commit()
    login(client, org.ld)

    def shown(url):
        found = re.search(r'<h2 id="overall-title">[^<]*</h2>\s*<p>(\d+) responses\.',
                          client.get(url).get_data(as_text=True))
        return int(found.group(1)) if found else 0

    assert shown("/pulse/results") - shown(f"/pulse/results?programme={big.id}") \
        not in range(1, K)


def test_one_more_month_does_not_reveal_its_few_answers(db_session):
    """January to March 10 answers; one more person answers in April: January to April must
    not show 11 (the difference would be that person's answers), for all programmes (the
    results page) or the programme."""
    prog = pf.programme(title="Prog")
    _responses(prog.id, 10, month=dt.date(2030, 1, 1))
    _responses(prog.id, 1, month=dt.date(2030, 4, 1), usefulness=1, helped=1)
    for pid in (None, prog.id):
        before = queries.aggregate(dt.date(2030, 1, 1), dt.date(2030, 3, 31), programme_id=pid)
        after = queries.aggregate(dt.date(2030, 1, 1), dt.date(2030, 4, 30), programme_id=pid)
        assert _n(before) == 10 and _n(after) - _n(before) not in range(1, K)
        assert after.usefulness.distribution == before.usefulness.distribution
    listed = queries.by_programme(dt.date(2030, 1, 1), dt.date(2030, 4, 30))
    assert [_n(g.aggregate) for g in listed] == [10]


def test_differences_across_periods_and_programmes_combined(db_session):
    """January: P 5. February: P 5, Q 2, R 5. P over January to February minus P in January is
    P's February; all programmes in February minus R and P in February must not leave Q's
    two answers."""
    p, q, r = (pf.programme(title=t) for t in ("P", "Q", "R"))
    jan, feb = dt.date(2030, 1, 1), dt.date(2030, 2, 1)
    _responses(p.id, 5, month=jan)
    _responses(p.id, 5, month=feb)
    _responses(q.id, 2, month=feb, usefulness=1, helped=1)
    _responses(r.id, 5, month=feb)
    end_feb = dt.date(2030, 2, 28)
    p_feb = _n(queries.aggregate(jan, end_feb, programme_id=p.id)) \
        - _n(queries.aggregate(jan, dt.date(2030, 1, 31), programme_id=p.id))
    r_feb = _n(queries.aggregate(feb, end_feb, programme_id=r.id))
    assert _n(queries.aggregate(feb, end_feb)) - p_feb - r_feb not in range(1, K)


MONTHS = [dt.date(2030, m, 1) for m in (1, 2, 3, 4)]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.integers(0, 7), min_size=12, max_size=12))
def test_no_subtraction_of_figures_singles_out_fewer_than_the_minimum(db_session, cells):
    """Three programmes over four months, any counts: for every figure the pages can show
    (all programmes or one, any run of months), subtracting a figure nested in it, or every
    programme's figure from the total, leaves 0 or at least the minimum."""
    db.session.execute(delete(PulseResponse))
    progs = [pf.programme(title=f"Prog {i}").id for i in range(3)]
    for i, n in enumerate(cells):
        _responses(progs[i % 3], n, month=MONTHS[i // 3])
    runs = [(a, b) for a in range(4) for b in range(a, 4)]
    scopes = [None, *progs]
    figure = {(s, run): _n(queries.aggregate(MONTHS[run[0]],
                                             add_months(MONTHS[run[1]], 1)
                                             - dt.timedelta(days=1), programme_id=s))
              for s in scopes for run in runs}
    for (s, (a, b)), n in figure.items():
        for (s2, (a2, b2)), n2 in figure.items():
            nested = a <= a2 and b2 <= b and (s2 == s or s is None)
            if nested:
                assert n - n2 not in range(1, K), (cells, s, (a, b), s2, (a2, b2))
        if s is None:
            assert n - sum(figure[(p, (a, b))] for p in progs) not in range(1, K)
