"""The week view and the agenda cost the same number of SQL statements however many items
they show (every list is one query)."""

from __future__ import annotations

from approvals.one_to_ones import operations as ops
from tests.approvals.factories import submitted
from tests.conftest import login
from tests.one_to_ones.helpers import decide_now, make_series, this_weeks_day
from tests.queries import statements_for_page


def test_statements_do_not_grow_with_the_agenda(client, org, make_person, db_session):
    series = make_series(org.line, org.learner)
    other = make_series(org.line, make_person("Second Report", manager=org.line))
    day = this_weeks_day(series)
    meeting = ops.materialise(series, day)
    first = submitted(org.learner, title="First")
    ops.add_talking_point(meeting, org.learner, "One point")
    ops.add_action(meeting, org.line, org.learner, "One action")
    db_session.commit()
    url = f"/one-to-ones/series/{series.id}/meetings/{day.isoformat()}"
    login(client, org.line)
    pages = ["/one-to-ones", url, f"{url}?review={first.id}"]
    few = [statements_for_page(client, p) for p in pages]

    for n in range(4):
        submitted(org.learner, title=f"More {n}")
        ops.add_talking_point(meeting, org.learner if n % 2 else org.line, f"Point {n}")
        ops.add_action(meeting, org.line, org.learner, f"Action {n}")
    decide_now(submitted(org.learner, title="Sent back"), org.line, "changes_requested")
    decide_now(submitted(org.learner, title="Approved one"), org.line, "approved")
    ops.materialise(other, this_weeks_day(other))
    db_session.commit()
    many = [statements_for_page(client, p) for p in pages]
    assert many == few
